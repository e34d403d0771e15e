import pg from 'pg';

/** The PostgreSQL server the benchmarks create their databases on: DATABASE_URL, else the local one. */
export const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on the server's own database (CREATE and DROP DATABASE of a bench database). */
export async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The address of the database `name` on that server. */
export function databaseUrlFor(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
