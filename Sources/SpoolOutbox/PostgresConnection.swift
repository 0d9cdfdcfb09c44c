import Logging
import Synchronization

/// A blocking connection to Postgres over libpq, safe to share between threads.
///
/// - Calls block the calling thread (run them on threads you own, not on Swift's cooperative pool);
///   calls from several threads are serialized, so one libpq handle is never used by two threads at once.
/// - Statements are always parameterised (`$1`, `$2`, …) and sent with `PQexecParams`, so values are never
///   spliced into SQL and only one statement runs per call.
/// - When the connection breaks, the failing call throws ``PostgresError/connectionLost(server:reason:)``
///   and the next call reconnects, re-issuing `LISTEN`s and the statement timeout.
/// - ``close()`` or deinit frees the libpq handle.
public final class PostgresConnection: Sendable, CustomStringConvertible {
    /// The server as `host:port/database`, never with a password; safe to log.
    public let server: String

    private enum Slot {
        /// Holds the session; calls use it.
        case ready(PostgresSession)
        /// The session is lent to a transaction's scope connection (only seen by the lock holder).
        case lent
        /// This was a transaction's scope connection and the transaction is over.
        case ended
        /// ``close()`` was called.
        case closed

        /// The session when ready.
        var session: PostgresSession? {
            if case .ready(let session) = self { return session }
            return nil
        }

        /// Which case this is, without the payload.
        var kind: Kind {
            switch self {
            case .ready: return .ready
            case .lent: return .lent
            case .ended: return .ended
            case .closed: return .closed
            }
        }

        enum Kind: Sendable { case ready, lent, ended, closed }
    }

    /// The session, locked for the whole of each call (a transaction holds it for the whole body).
    private let state: Mutex<Slot>
    /// The thread holding `state`, or 0: lets a call made while this thread already holds the lock
    /// (from a transaction body or a stream's row handler) be redirected or refused instead of deadlocking.
    private let lockHolder = Atomic<UInt>(0)
    /// While a transaction body runs: the scope connection it was given.
    private let activeScope = Mutex<PostgresConnection?>(nil)
    /// Whether this connection is the one a transaction body was given.
    private let isTransactionScope: Bool

    /// Connects to Postgres.
    ///
    /// - Parameters:
    ///   - connectionString: a `postgres://user:password@host:port/db?…` (or `postgresql://`) URL, or a
    ///     libpq `host=… port=… dbname=… user=…` string. Checked before anything is sent.
    ///   - connectTimeout: how long to wait for the server, unless the string sets `connect_timeout`
    ///     (libpq counts whole seconds, at least 2).
    ///   - logger: receives server notices (`RAISE NOTICE`, warnings) and reconnect events.
    /// - Throws: ``PostgresError/invalidConnectionString(_:reason:)`` or
    ///   ``PostgresError/connectionFailed(server:reason:hint:)``.
    public convenience init(
        _ connectionString: String, connectTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "spool.postgres")
    ) throws(PostgresError) {
        let checked = try PostgresConnectionString(connectionString, connectTimeout: connectTimeout)
        let session = try PostgresSession(connectionString: checked, logger: logger)
        self.init(session: session, isTransactionScope: false)
    }

    private init(session: sending PostgresSession, isTransactionScope: Bool) {
        server = session.server
        state = Mutex(.ready(session))
        self.isTransactionScope = isTransactionScope
    }

    /// `PostgresConnection(host:port/db)`.
    public var description: String { "PostgresConnection(\(server))" }

    // MARK: statements

    /// Runs one parameterised statement and returns all its rows.
    ///
    /// `params[i]` binds `$(i+1)`; `nil` is SQL `NULL`. Use ``streamQuery(_:_:body:)`` for results too big
    /// to hold in memory.
    public func query(_ sql: String, _ params: [PostgresValue?] = []) throws(PostgresError) -> PostgresResult {
        if let scope = try reentrantTarget("query") { return try scope.query(sql, params) }
        return try withSession { session throws(PostgresError) in try session.query(sql, params) }
    }

    /// Runs one parameterised statement and returns the number of rows it inserted, updated, deleted,
    /// selected or moved (0 for commands that do not count rows).
    @discardableResult
    public func execute(_ sql: String, _ params: [PostgresValue?] = []) throws(PostgresError) -> Int {
        try query(sql, params).affectedRows
    }

    /// Runs one parameterised statement and calls `body` with each row as it arrives (libpq single-row
    /// mode), so memory stays constant however many rows there are.
    ///
    /// The connection stays locked until the last row: `body` must not use this connection (that throws
    /// ``PostgresError/misuse(_:)``). If `body` throws, the statement is cancelled, the remaining rows are
    /// discarded and the error is rethrown; the connection stays usable.
    public func streamQuery(
        _ sql: String, _ params: [PostgresValue?] = [], body: (PostgresRow) throws -> Void
    ) throws {
        if let scope = try reentrantTarget("streamQuery") { return try scope.streamQuery(sql, params, body: body) }
        let holder = ThreadIdentity.current
        try state.withLock { (slot: inout sending Slot) throws in
            lockHolder.store(holder, ordering: .relaxed)
            defer { lockHolder.store(0, ordering: .relaxed) }
            guard case .ready(let session) = slot else { throw unavailable(slot) }
            try session.startStream(sql, params)
            while let row = try session.nextStreamRow() {
                do {
                    try body(row)
                } catch {
                    session.abandonStream()
                    throw error
                }
            }
        }
    }

    // MARK: session settings

    /// Sets `statement_timeout` (`nil` or zero: none), rounded up to whole milliseconds. A statement that
    /// runs longer throws ``PostgresError/statementTimeout(server:milliseconds:)`` and the connection stays
    /// usable. Kept across reconnects; inside a transaction it lasts only until the transaction ends.
    public func setStatementTimeout(_ timeout: Duration?) throws(PostgresError) {
        if let scope = try reentrantTarget("setStatementTimeout") { return try scope.setStatementTimeout(timeout) }
        let milliseconds = timeout.map { duration -> Int in
            let (seconds, attoseconds) = duration.components
            return Int(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        }
        try withSession { session throws(PostgresError) in
            try session.setStatementTimeout(milliseconds: milliseconds.map { max(0, $0) })
        }
    }

    // MARK: LISTEN / NOTIFY

    /// Starts listening on `channel` (quoted as an identifier, so any name is safe). Kept across
    /// reconnects. Inside a transaction it takes effect at COMMIT.
    public func listen(_ channel: String) throws(PostgresError) {
        if let scope = try reentrantTarget("listen") { return try scope.listen(channel) }
        try withSession { session throws(PostgresError) in try session.listen(channel) }
    }

    /// Stops listening on `channel`.
    public func unlisten(_ channel: String) throws(PostgresError) {
        if let scope = try reentrantTarget("unlisten") { return try scope.unlisten(channel) }
        try withSession { session throws(PostgresError) in try session.unlisten(channel) }
    }

    /// Sends a notification with `SELECT pg_notify($1, $2)`. Inside a transaction it is delivered at COMMIT
    /// (and never on rollback).
    public func notify(channel: String, payload: String = "") throws(PostgresError) {
        try execute("SELECT pg_notify($1, $2)", [.string(channel), .string(payload)])
    }

    /// Returns the notifications received on listened channels: those already buffered at once, otherwise
    /// waits on the socket up to `timeout` and returns what arrived first; empty when the timeout passes
    /// with none. The connection is locked while waiting.
    public func waitForNotifications(timeout: Duration) throws(PostgresError) -> [PostgresNotification] {
        if let scope = try reentrantTarget("waitForNotifications") {
            return try scope.waitForNotifications(timeout: timeout)
        }
        return try withSession { session throws(PostgresError) in try session.waitForNotifications(timeout: timeout) }
    }

    // MARK: transactions

    /// Runs `body` inside `BEGIN` … `COMMIT`, or `ROLLBACK` if `body` throws (the error is rethrown).
    ///
    /// `body` gets a connection scoped to the transaction: run the transaction's statements on it. Other
    /// threads using this connection wait until the transaction ends. Calls on this connection made by the
    /// body's thread are redirected to the transaction too, so nothing deadlocks. A `transaction` call
    /// inside the body opens a savepoint (rolled back alone if its body throws). The scope connection must
    /// not be kept after the body returns: it then throws ``PostgresError/misuse(_:)``.
    ///
    /// - Throws: what `body` throws, ``PostgresError/transactionRolledBack(server:)`` when COMMIT found the
    ///   transaction failed (an error inside was caught and ignored), or other ``PostgresError``s.
    ///   If the connection breaks, the transaction is lost (the server rolls it back) and the next call
    ///   reconnects.
    @discardableResult
    public func transaction<T>(
        isolation: PostgresIsolationLevel? = nil, readOnly: Bool = false, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        if let scope = try reentrantTarget("transaction") {
            return try scope.transaction(isolation: isolation, readOnly: readOnly, body)
        }
        if isTransactionScope { return try savepoint(isolation: isolation, readOnly: readOnly, body) }
        let holder = ThreadIdentity.current
        return try state.withLock { (slot: inout sending Slot) throws -> sending T in
            lockHolder.store(holder, ordering: .relaxed)
            defer { lockHolder.store(0, ordering: .relaxed) }
            // Move the session into a scope connection for the body; take it back afterwards. (The slot
            // is emptied before anything can throw, which is what lets the compiler prove the move safe.)
            let current = slot.session
            let failure = current == nil ? unavailable(slot) : nil
            let kind = slot.kind
            slot = .lent
            guard let session = current else {
                slot = kind == .ended ? .ended : .closed
                throw failure ?? .closed(server: server)
            }
            let scope = PostgresConnection(session: session, isTransactionScope: true)
            do {
                try scope.withSession { session throws(PostgresError) in
                    try session.begin(isolation: isolation, readOnly: readOnly)
                }
            } catch {
                slot = scope.endScope().map { .ready($0) } ?? .closed
                throw error
            }
            activeScope.withLock { $0 = scope }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try body(scope))
            } catch {
                outcome = .failure(error)
            }
            activeScope.withLock { $0 = nil }
            guard let returned = scope.endScope() else {
                slot = .closed
                throw PostgresError.misuse("internal error: the transaction's session went missing")
            }
            slot = .ready(returned)
            switch outcome {
            case .success(let value):
                try returned.commit()
                return value
            case .failure(let error):
                returned.rollback()
                throw error
            }
        }
    }

    /// A nested transaction: a savepoint inside the scope's transaction.
    private func savepoint<T>(
        isolation: PostgresIsolationLevel?, readOnly: Bool, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        guard isolation == nil, !readOnly else {
            throw PostgresError.misuse(
                "a transaction inside a transaction is a savepoint and cannot set isolation or read-only"
                    + " — set them on the outer transaction")
        }
        let name = try withSession { session throws(PostgresError) in try session.savepoint() }
        let value: T
        do {
            value = try body(self)
        } catch {
            try? withSession { session throws(PostgresError) in session.rollbackToSavepoint(name) }
            throw error
        }
        try withSession { session throws(PostgresError) in try session.releaseSavepoint(name) }
        return value
    }

    /// Hands the session back to the connection that opened the transaction; this scope connection is
    /// unusable afterwards.
    private func endScope() -> sending PostgresSession? {
        state.withLock { (slot: inout sending Slot) -> sending PostgresSession? in
            guard case .ready(let session) = slot else {
                slot = .ended
                return nil
            }
            slot = .ended
            return session
        }
    }

    // MARK: closing

    /// Frees the libpq handle now; later calls throw ``PostgresError/closed(server:)``. Waits for a call
    /// running on another thread to finish first. Does nothing on a transaction's scope connection (the
    /// connection that opened the transaction owns the handle) or from inside a stream's row handler.
    public func close() {
        if lockHolder.load(ordering: .relaxed) == ThreadIdentity.current {
            activeScope.withLock { $0 }?.close()
            return
        }
        guard !isTransactionScope else { return }
        let session = state.withLock { (slot: inout sending Slot) -> sending PostgresSession? in
            guard case .ready(let session) = slot else { return nil }
            slot = .closed
            return session
        }
        session?.close()
    }

    // MARK: locking

    /// Runs `body` with the session while holding the lock.
    private func withSession<R: Sendable>(
        _ body: (PostgresSession) throws(PostgresError) -> R
    ) throws(PostgresError) -> R {
        let holder = ThreadIdentity.current
        return try state.withLock { (slot: inout sending Slot) throws(PostgresError) -> R in
            lockHolder.store(holder, ordering: .relaxed)
            defer { lockHolder.store(0, ordering: .relaxed) }
            guard case .ready(let session) = slot else { throw unavailable(slot) }
            return try body(session)
        }
    }

    /// When the calling thread already holds this connection's lock: the transaction scope to redirect
    /// the call to, or a ``PostgresError/misuse(_:)`` error (a stream's row handler using its own
    /// connection). `nil` when the lock is not held by this thread.
    private func reentrantTarget(_ operation: String) throws(PostgresError) -> PostgresConnection? {
        guard lockHolder.load(ordering: .relaxed) == ThreadIdentity.current else { return nil }
        if let scope = activeScope.withLock({ $0 }) { return scope }
        throw .misuse(
            "\(operation) was called on the connection to Postgres at \(server) while this thread is still"
                + " reading a streamQuery result from it — finish the stream first or use a second connection")
    }

    private func unavailable(_ slot: borrowing Slot) -> PostgresError {
        switch slot {
        case .closed, .ready:
            return .closed(server: server)
        case .ended:
            return .misuse(
                "this connection was given to a transaction body and the transaction has ended"
                    + " — use the PostgresConnection that opened the transaction (\(server))")
        case .lent:
            return .misuse("internal error: the connection to \(server) is lent to a transaction")
        }
    }
}
