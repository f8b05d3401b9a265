const express = require("express");
const { execFile, exec } = require("child_process");
const db = require("../lib/db");

const router = express.Router();

router.get("/:sku", async (req, res) => {
  const rows = await db.findBySku(req.params.sku);
  res.json(rows);
});

router.post("/:sku/thumbnail", (req, res) => {
  const size = req.body.size;
  exec(`convert /tmp/${req.params.sku}.png -resize ${size} /tmp/thumb.png`, () => res.sendStatus(201)); // expect: FG-INJ-011
  execFile("convert", [`/tmp/${req.params.sku}.png`, "-resize", size, "/tmp/thumb.png"], () => res.end()); // ok: FG-INJ-011
});

module.exports = router;
