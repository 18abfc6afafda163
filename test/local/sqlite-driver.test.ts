/**
 * The local runtime's SQLite driver choice, and node:sqlite behind better-sqlite3's API: statements, raw rows,
 * pragmas, and transactions that commit, roll back, and nest as savepoints. The node:sqlite cases run where Node has
 * it (22.13 and newer; CI runs this file on Node 26 too); on an older Node, asking for it by name fails clearly.
 */
import { DRIVER_ENV, loadDriver, StartupError } from '../../src/local/sqlite-driver';

const hasNodeSqlite = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return typeof require('node:sqlite').DatabaseSync === 'function';
  } catch {
    return false;
  }
})();

test('better-sqlite3 when it is installed, unless the variable names another driver', () => {
  expect(loadDriver({}).name).toBe('better-sqlite3');
  expect(loadDriver({ [DRIVER_ENV]: 'better-sqlite3' }).name).toBe('better-sqlite3');
  expect(() => loadDriver({ [DRIVER_ENV]: 'sqlite3' })).toThrow(new StartupError(`${DRIVER_ENV} must be better-sqlite3 or node, got "sqlite3"`));
});

(hasNodeSqlite ? describe : describe.skip)('node:sqlite behind better-sqlite3\'s API', () => {
  const open = () => loadDriver({ [DRIVER_ENV]: 'node' }).open(':memory:', { timeout: 200 });

  test('statements with named and positional parameters, raw rows, pragmas', () => {
    const db = open();
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER)');
    const insert = db.prepare('INSERT INTO t (id, n) VALUES (@id, @n)');
    expect(insert.run({ id: 'a', n: 1 }).changes).toBe(1);
    insert.run({ id: 'b', n: 2 });
    expect(db.prepare('SELECT n FROM t WHERE id = ?').get('b')).toEqual({ n: 2 });
    expect(db.prepare('SELECT n FROM t WHERE id = ?').get('none')).toBeUndefined();
    expect(db.prepare('SELECT id, n FROM t ORDER BY id').all()).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    expect([...db.prepare('SELECT id, n FROM t ORDER BY id').raw().iterate()]).toEqual([['a', 1], ['b', 2]]);
    db.pragma('user_version = 7');
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect((db.pragma('table_info(t)') as Array<{ name: string }>).map((c) => c.name)).toEqual(['id', 'n']);
    db.close();
  });

  test('a transaction commits, rolls back when it throws, and nests as a savepoint', () => {
    const db = open();
    db.exec('CREATE TABLE t (n INTEGER)');
    const add = db.prepare('INSERT INTO t (n) VALUES (?)');
    const count = () => (db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c;
    expect(db.transaction((n: number) => add.run(n).changes)(1)).toBe(1);
    expect(() => db.transaction(() => {
      add.run(2);
      throw new Error('undo');
    })()).toThrow('undo');
    expect(count()).toBe(1);
    db.transaction(() => {
      add.run(3);
      // The inner one fails and is undone alone; the outer one commits.
      expect(() => db.transaction(() => {
        add.run(4);
        throw new Error('inner');
      })()).toThrow('inner');
    })();
    expect((db.prepare('SELECT n FROM t ORDER BY n').raw().all() as number[][]).flat()).toEqual([1, 3]);
    db.close();
  });
});

(hasNodeSqlite ? test.skip : test)('on a Node without node:sqlite, asking for it fails with one clear line', () => {
  expect(() => loadDriver({ [DRIVER_ENV]: 'node' })).toThrow(/^CDK_SERVERLESS_TIMER_SQLITE=node, but that driver could not be loaded/);
});
