/**
 * Query parameters are German on every page (docs/architecture.md). Where a page once used another
 * name (from/to, sort/dir, q), links and bookmarks with the old name keep working: the old name is
 * read when the new one is absent or empty. Links the application writes use only the new name.
 */
export function renamedParam<Q extends object, K extends keyof Q>(query: Q, name: K, old: K): Q[K] {
  const value = query[name];
  return value === undefined || value === '' ? query[old] : value;
}
