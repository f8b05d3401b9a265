import type { Pool } from 'pg';

export async function findTenant(pool: Pool, tenant: string) {
  const text = 'SELECT * FROM tenants WHERE slug = \'' + tenant + '\'';
  const res = await pool.query({ text });  // expect: FG-INJ-010
  return res.rows;
}

export async function tenantById(pool: Pool, id: number) {
  return (await pool.query({ text: 'SELECT * FROM tenants WHERE id = $1', values: [id] })).rows;  // ok: FG-INJ-010
}
