import type { TestProject } from 'vitest/node';
import { buildTestDbTemplates } from './helpers/db-template.js';

/**
 * Migrates one database per run for createTestDb() to copy (test/helpers/db-template.ts): migrating
 * in every test file took most of the suite's time. In watch mode the copy is made once per session,
 * so a new migration needs a restart of vitest.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { templates, drop } = await buildTestDbTemplates();
  project.provide('zskTestDbTemplates', templates);
  return drop;
}
