// Says which database the suite runs on; each test file builds or reuses the migrated template itself.
export default async function globalSetup() {
  const target = process.env.DATABASE_URL ? 'real PostgreSQL' : 'embedded PGlite';
  process.stdout.write(`\n[calento] tests run against ${target}\n`);
}
