// handlers: handler
const serverless = require('serverless-http');
const express = require('express');
const { exec } = require('child_process');
const path = require('path');
const mysql = require('mysql');
const axios = require('axios');

const app = express();
app.use(express.json());
const db = mysql.createPool({ host: process.env.DB_HOST, user: 'app', database: 'shop' });

app.get('/users/:id', (req, res) => {
  db.query('SELECT * FROM users WHERE id = ' + req.params.id, (err, rows) => {  // expect: FG-INJ-010
    if (err) return res.status(500).json({ error: err.message });
    res.json(rows);
  });
});

app.get('/users', (req, res) => {
  db.query('SELECT * FROM users WHERE team = ?', [req.query.team], (err, rows) => res.json(rows));  // ok: FG-INJ-010
});

app.post('/resize', async (req, res) => {
  const { width, image } = req.body;
  exec(`convert /tmp/${image} -resize ${width} /tmp/small.png`, () => res.sendStatus(204));  // expect: FG-INJ-011
});

app.get('/download', (req, res) => {
  res.sendFile(path.join('/tmp/files', req.query.file));  // expect: FG-INJ-015
});

app.get('/greet', (req, res) => {
  res.send(`<h1>Hello ${req.query.name}</h1>`);  // expect: FG-INJ-018
});

app.get('/status', async (req, res) => {
  const { data } = await axios.get(req.query.statusUrl);  // expect: FG-INJ-014
  res.json(data);
});

module.exports.handler = serverless(app);
