import Foundation
import SpoolOutbox
import Synchronization
import Testing

struct Boom: Error, Equatable {}

@Suite("Transactions")
struct TransactionTests {
    @Test("commit makes the work visible to other connections")
    func commit() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY)")
            let other = try TestDatabase.connect()
            defer { other.close() }
            let value = try db.transaction { tx in
                try tx.execute("INSERT INTO \(schema).t VALUES ($1)", [1])
                // Not visible outside before COMMIT.
                #expect(try other.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 0)
                return "done"
            }
            #expect(value == "done")
            #expect(try other.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 1)
        }
    }

    @Test("a throwing body rolls back and rethrows its own error")
    func rollbackOnThrow() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY)")
            #expect(throws: Boom.self) {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO \(schema).t VALUES ($1)", [1])
                    throw Boom()
                }
            }
            #expect(try db.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 0)
        }
    }

    @Test("calls on the outer connection from the body's thread join the transaction instead of deadlocking")
    func reentrantCallsJoin() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY)")
            #expect(throws: Boom.self) {
                try db.transaction { _ in
                    try db.execute("INSERT INTO \(schema).t VALUES ($1)", [1])
                    #expect(try db.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 1)
                    throw Boom()
                }
            }
            #expect(try db.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 0)
        }
    }

    @Test("a nested transaction is a savepoint: its failure rolls back only its own work")
    func savepoints() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY)")
            try db.transaction { tx in
                try tx.execute("INSERT INTO \(schema).t VALUES (1)")
                do {
                    try tx.transaction { inner in
                        try inner.execute("INSERT INTO \(schema).t VALUES (2)")
                        throw Boom()
                    }
                    Issue.record("the savepoint body's error was not rethrown")
                } catch is Boom {}
                try tx.transaction { inner in try inner.execute("INSERT INTO \(schema).t VALUES (3)") }
                // A failed statement inside a savepoint leaves the outer transaction usable.
                do {
                    try tx.transaction { inner in try inner.execute("INSERT INTO \(schema).t VALUES (1)") }
                    Issue.record("the duplicate insert did not fail")
                } catch let error as PostgresError {
                    #expect(error.sqlState == "23505")
                }
                try tx.execute("INSERT INTO \(schema).t VALUES (4)")
            }
            let ids = try db.query("SELECT id FROM \(schema).t ORDER BY id").rows.map { try $0.int(0) }
            #expect(ids == [1, 3, 4])
        }
    }

    @Test("isolation level and read-only mode are applied")
    func options() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int)")
            let level = try db.transaction(isolation: .serializable) { tx in
                try tx.query("SHOW transaction_isolation").string(0, 0)
            }
            #expect(level == "serializable")
            let error = expectPostgresError {
                _ = try db.transaction(readOnly: true) { tx in try tx.execute("INSERT INTO \(schema).t VALUES (1)") }
            }
            #expect(error?.sqlState == "25006")
            #expect(throws: PostgresError.self) {
                try db.transaction { tx in try tx.transaction(isolation: .serializable) { _ in } }
            }
        }
    }

    @Test("an error swallowed inside the body makes COMMIT report the rollback")
    func swallowedError() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int PRIMARY KEY)")
            let error = expectPostgresError {
                try db.transaction { tx in
                    try tx.execute("INSERT INTO \(schema).t VALUES (1)")
                    _ = try? tx.execute("INSERT INTO \(schema).t VALUES (1)")
                }
            }
            guard case .transactionRolledBack? = error else {
                Issue.record("expected transactionRolledBack, got \(String(describing: error))")
                return
            }
            #expect(try db.query("SELECT count(*) FROM \(schema).t").int(0, 0) == 0)
        }
    }

    @Test("the body's connection cannot be used after the transaction")
    func escapedScope() throws {
        let db = try TestDatabase.connect()
        defer { db.close() }
        let escaped = try db.transaction { tx in tx }
        let error = expectPostgresError { _ = try escaped.query("SELECT 1") }
        guard case .misuse? = error else {
            Issue.record("expected misuse, got \(String(describing: error))")
            return
        }
        #expect(try db.query("SELECT 1").int(0, 0) == 1)
    }

    @Test("other threads wait for the transaction and then see its committed work")
    func otherThreadsWait() throws {
        try TestDatabase.withSchema { db, schema in
            try db.execute("CREATE TABLE \(schema).t (id int)")
            let seen = Shared<Int?>(nil)
            let finished = DispatchSemaphore(value: 0)
            try db.transaction { tx in
                try tx.execute("INSERT INTO \(schema).t VALUES (1)")
                Thread.detachNewThread {
                    let count = try? db.query("SELECT count(*) FROM \(schema).t").int(0, 0)
                    seen.value.withLock { $0 = count }
                    finished.signal()
                }
                Thread.sleep(forTimeInterval: 0.3)
                #expect(seen.value.withLock { $0 } == nil, "another thread ran a query inside our transaction")
            }
            finished.wait()
            #expect(seen.value.withLock { $0 } == 1)
        }
    }
}
