const mysql = require("mysql2/promise");

let pool;
function getPool() {
  if (!pool) pool = mysql.createPool({ host: process.env.DB_HOST, user: "app", database: "shop" });
  return pool;
}

async function findBySku(sku) {
  const [rows] = await getPool().query("SELECT * FROM items WHERE sku = '" + sku + "'"); // expect: FG-INJ-010
  await getPool().execute("SELECT * FROM items WHERE sku = ?", [sku]); // ok: FG-INJ-010
  return rows;
}

module.exports = { findBySku };
