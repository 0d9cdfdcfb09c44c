import CLibpq
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection and the session state that must survive a reconnect (LISTEN channels,
/// statement timeout). Not thread-safe: ``PostgresConnection`` keeps it inside a `Mutex` and hands it
/// to one thread at a time. Frees the `PGconn` on deinit.
final class PostgresSession {
    let connectionString: PostgresConnectionString
    let notices: PostgresNoticeSink
    /// Redacted `host:port/db` of the server, for messages.
    private(set) var server: String
    private var handle: OpaquePointer?
    /// Set when the connection broke; the next call outside a transaction reconnects.
    private var lost = false
    private var closed = false
    /// Channels to re-LISTEN after a reconnect, in the order they were added.
    private var channels: [String] = []
    /// `channels` as they were when each open transaction or savepoint began, to restore on rollback.
    private var channelsAtBegin: [[String]] = []
    private var statementTimeout: Int?
    /// A `SET LOCAL` statement timeout inside the current transaction.
    private var localStatementTimeout: Int?
    private var savepointSerial = 0
    /// The statement being streamed, between ``startStream(_:_:)`` and its last row.
    private var stream: StreamState?

    var logger: Logger { notices.logger }
    /// 0 outside a transaction, 1 inside, +1 per open savepoint.
    var transactionDepth: Int { channelsAtBegin.count }

    /// Connects; throws ``PostgresError/connectionFailed(server:reason:hint:)`` when it cannot.
    init(connectionString: PostgresConnectionString, logger: Logger) throws(PostgresError) {
        self.connectionString = connectionString
        let connection = try Self.connect(connectionString)
        server = Self.describe(connection)
        var logger = logger
        logger[metadataKey: "postgres.server"] = "\(server)"
        notices = PostgresNoticeSink(logger: logger)
        notices.install(on: connection)
        handle = connection
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Frees the connection; later calls throw ``PostgresError/closed(server:)``.
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        closed = true
    }

    // MARK: statements

    /// Runs one statement and returns its whole result.
    func query(_ sql: String, _ parameters: [PostgresValue?]) throws(PostgresError) -> PostgresResult {
        try run(ready(), sql, parameters)
    }

    /// Starts a statement in single-row mode; read its rows with ``nextStreamRow()`` until it returns
    /// `nil` (or call ``abandonStream()``). Memory stays constant however many rows there are.
    func startStream(_ sql: String, _ parameters: [PostgresValue?]) throws(PostgresError) {
        let connection = try ready()
        try Self.check(sql: sql)
        let encoded = try PostgresParameters(parameters)
        let sent = encoded.withCArrays { count, types, values, lengths, formats in
            PQsendQueryParams(connection, sql, count, types, values, lengths, formats, 0)
        }
        guard sent == 1 else { throw failure(connection, nil) }
        if PQsetSingleRowMode(connection) != 1 {
            logger.warning("libpq refused single-row mode; the rows will arrive as one result")
        }
        stream = StreamState()
    }

    /// The next row of the running stream, or `nil` after the last one. Throws the statement's error
    /// once all its results are read, so the connection is idle again whenever this throws or ends.
    func nextStreamRow() throws(PostgresError) -> PostgresRow? {
        guard var current = stream, let connection = handle else { return nil }
        defer { if stream != nil { stream = current } }
        if current.next < current.pending.count {
            current.next += 1
            return current.pending[current.next - 1]
        }
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            switch status {
            case PGRES_SINGLE_TUPLE, PGRES_TUPLES_OK:
                let count = PQntuples(result)
                guard current.error == nil, count > 0 else { continue }
                let columns = current.columns ?? Self.columns(of: result)
                current.columns = columns
                if count > 1 {  // single-row mode was refused: hand out the buffered rows one by one
                    current.pending = (1..<count).map { Self.row($0, of: result, columns: columns) }
                    current.next = 0
                }
                return Self.row(0, of: result, columns: columns)
            case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                continue
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                abandonCopy(connection, status)
                if current.error == nil { current.error = .unsupported(server: server, what: "COPY") }
            default:
                if current.error == nil { current.error = failure(connection, result) }
            }
        }
        stream = nil
        if current.error == nil, PQstatus(connection) == CONNECTION_BAD { current.error = failure(connection, nil) }
        if let error = current.error { throw error }
        return nil
    }

    /// Stops the running stream: cancels the statement on the server and discards its remaining rows.
    func abandonStream() {
        guard stream != nil, let connection = handle else { return }
        stream = nil
        cancel(connection)
        while let result = PQgetResult(connection) { PQclear(result) }
    }

    /// What a running stream has read so far.
    private struct StreamState {
        var columns: PostgresColumns?
        var pending: [PostgresRow] = []
        var next = 0
        var error: PostgresError?
    }

    // MARK: session settings

    /// Sets `statement_timeout` (nil or zero: none). Inside a transaction it lasts until the transaction
    /// ends (`SET LOCAL`); outside it lasts for the session and survives reconnects.
    func setStatementTimeout(milliseconds: Int?) throws(PostgresError) {
        let connection = try ready()
        let local = transactionDepth > 0
        _ = try run(
            connection, "SELECT set_config('statement_timeout', $1, $2)",
            [.string(String(milliseconds ?? 0)), .bool(local)])
        if local {
            localStatementTimeout = milliseconds ?? 0
        } else {
            statementTimeout = milliseconds
        }
    }

    // MARK: LISTEN / NOTIFY

    /// `LISTEN` on `channel` (quoted with `PQescapeIdentifier`); re-issued after a reconnect.
    func listen(_ channel: String) throws(PostgresError) {
        let connection = try ready()
        _ = try run(connection, "LISTEN " + quote(channel, on: connection), [])
        if !channels.contains(channel) { channels.append(channel) }
    }

    /// `UNLISTEN` `channel`.
    func unlisten(_ channel: String) throws(PostgresError) {
        let connection = try ready()
        _ = try run(connection, "UNLISTEN " + quote(channel, on: connection), [])
        channels.removeAll { $0 == channel }
    }

    /// Notifications that have arrived: drains what libpq holds, then waits on the socket up to `timeout`,
    /// reads, and drains again. Returns as soon as there is at least one; empty after the timeout.
    func waitForNotifications(timeout: Duration) throws(PostgresError) -> [PostgresNotification] {
        let connection = try ready()
        var found = Self.drainNotifications(connection)
        if !found.isEmpty { return found }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let remaining = clock.now.duration(to: deadline)
            let socket = PQsocket(connection)
            guard socket >= 0 else { throw failure(connection, nil) }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Self.pollMilliseconds(remaining))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .connectionLost(server: server, reason: "poll() on the socket failed with errno \(errno)")
            }
            if ready > 0 {
                guard PQconsumeInput(connection) == 1, PQstatus(connection) == CONNECTION_OK else {
                    throw failure(connection, nil)
                }
                found = Self.drainNotifications(connection)
                if !found.isEmpty { return found }
            }
            if clock.now >= deadline { return [] }
        }
    }

    // MARK: transactions

    /// `BEGIN` with the given options.
    func begin(isolation: PostgresIsolationLevel?, readOnly: Bool) throws(PostgresError) {
        let connection = try ready()
        var sql = "BEGIN"
        if let isolation { sql += " ISOLATION LEVEL " + isolation.rawValue }
        if readOnly { sql += " READ ONLY" }
        _ = try run(connection, sql, [])
        channelsAtBegin = [channels]
    }

    /// `COMMIT`; throws ``PostgresError/transactionRolledBack(server:)`` when the server rolled back
    /// instead (a statement inside had failed).
    func commit() throws(PostgresError) {
        let snapshot = channelsAtBegin.first ?? channels
        var committed = false
        defer {
            if !committed { channels = snapshot }
            endTransaction()
        }
        let connection = try ready()
        let result = try run(connection, "COMMIT", [])
        guard result.commandTag != "ROLLBACK" else { throw .transactionRolledBack(server: server) }
        committed = true
    }

    /// `ROLLBACK`, ignoring failures (a broken connection has rolled back already).
    func rollback() {
        if let snapshot = channelsAtBegin.first { channels = snapshot }
        defer { endTransaction() }
        guard let handle, !lost, PQstatus(handle) == CONNECTION_OK else { return }
        do {
            _ = try run(handle, "ROLLBACK", [])
        } catch {
            logger.warning("ROLLBACK failed: \(error)")
        }
    }

    /// Opens a savepoint inside the current transaction and returns its name.
    func savepoint() throws(PostgresError) -> String {
        let connection = try ready()
        savepointSerial += 1
        let name = "spool_savepoint_\(savepointSerial)"
        _ = try run(connection, "SAVEPOINT " + name, [])
        channelsAtBegin.append(channels)
        return name
    }

    /// Keeps the savepoint's work (`RELEASE SAVEPOINT`).
    func releaseSavepoint(_ name: String) throws(PostgresError) {
        defer { _ = channelsAtBegin.popLast() }
        _ = try run(ready(), "RELEASE SAVEPOINT " + name, [])
    }

    /// Undoes the savepoint's work (`ROLLBACK TO SAVEPOINT` + `RELEASE`), ignoring failures.
    func rollbackToSavepoint(_ name: String) {
        if let snapshot = channelsAtBegin.popLast() { channels = snapshot }
        do {
            let connection = try ready()
            _ = try run(connection, "ROLLBACK TO SAVEPOINT " + name, [])
            _ = try run(connection, "RELEASE SAVEPOINT " + name, [])
        } catch {
            logger.warning("ROLLBACK TO SAVEPOINT failed: \(error)")
        }
    }

    private func endTransaction() {
        channelsAtBegin = []
        localStatementTimeout = nil
        if let handle, !lost, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE {
            // Still inside a transaction (COMMIT or ROLLBACK failed oddly): start afresh next time.
            lost = true
        }
    }

    // MARK: connection state

    /// The live handle, reconnecting first when the connection was lost (but never inside a
    /// transaction: its work is gone, so the caller must hear about it).
    private func ready() throws(PostgresError) -> OpaquePointer {
        if closed { throw .closed(server: server) }
        if let handle, !lost, PQstatus(handle) == CONNECTION_OK { return handle }
        if transactionDepth > 0 {
            lost = true
            throw .connectionLost(
                server: server, reason: "the connection broke inside a transaction, so the server rolled it back")
        }
        return try reconnect()
    }

    /// A fresh connection with the same settings, LISTENs and statement timeout as before.
    private func reconnect() throws(PostgresError) -> OpaquePointer {
        if let handle { PQfinish(handle) }
        handle = nil
        lost = true
        let connection = try Self.connect(connectionString)
        notices.install(on: connection)
        handle = connection
        lost = false
        do {
            if let statementTimeout {
                _ = try run(
                    connection, "SELECT set_config('statement_timeout', $1, false)",
                    [.string(String(statementTimeout))])
            }
            for channel in channels {
                _ = try run(connection, "LISTEN " + quote(channel, on: connection), [])
            }
        } catch {
            lost = true  // half-restored: try again from scratch on the next call
            throw error
        }
        logger.notice("reconnected to Postgres", metadata: ["postgres.channels": "\(channels.count)"])
        return connection
    }

    private static func connect(_ connectionString: PostgresConnectionString) throws(PostgresError) -> OpaquePointer {
        // The string goes in as `dbname` with expand_dbname, so a URL and a conninfo string both work;
        // the defaults come after it and apply only to keywords the string does not set.
        let pairs = [("dbname", connectionString.raw)] + connectionString.defaults
        let keywords: [UnsafeMutablePointer<CChar>?] = pairs.map { strdup($0.0) } + [nil]
        let values: [UnsafeMutablePointer<CChar>?] = pairs.map { strdup($0.1) } + [nil]
        defer {
            for pointer in keywords + values { free(pointer) }
        }
        let connection = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywords in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
                PQconnectdbParams(keywords.baseAddress, values.baseAddress, 1)
            }
        }
        guard let connection else {
            throw .connectionFailed(
                server: connectionString.redacted, reason: "libpq could not allocate a connection",
                hint: "the process is out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PostgresConnectFailure.classify(
                message: String(cString: PQerrorMessage(connection)), server: describe(connection),
                connectionString: connectionString)
            PQfinish(connection)
            throw error
        }
        return connection
    }

    /// `host:port/db` for messages (works on a failed connection too: libpq keeps what it tried).
    private static func describe(_ connection: OpaquePointer) -> String {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            guard let pointer else { return nil }
            let value = String(cString: pointer)
            return value.isEmpty ? nil : value
        }
        var host = text(PQhost(connection)) ?? "localhost"
        if host.contains(":") && !host.hasPrefix("/") { host = "[\(host)]" }
        let port = text(PQport(connection)) ?? "5432"
        let database = text(PQdb(connection)) ?? ""
        return "\(host):\(port)/\(database)"
    }

    // MARK: running one statement

    private func run(_ connection: OpaquePointer, _ sql: String, _ parameters: [PostgresValue?])
        throws(PostgresError) -> PostgresResult
    {
        try Self.check(sql: sql)
        let encoded = try PostgresParameters(parameters)
        let result = encoded.withCArrays { count, types, values, lengths, formats in
            PQexecParams(connection, sql, count, types, values, lengths, formats, 0)
        }
        guard let result else { throw failure(connection, nil) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.result(from: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(connection, status)
            throw .unsupported(server: server, what: "COPY")
        default:
            throw failure(connection, result)
        }
    }

    private static func check(sql: String) throws(PostgresError) {
        if sql.utf8.contains(0) { throw .invalidArgument("the SQL text contains a NUL byte") }
    }

    /// The error for a failed statement: a lost connection, a statement timeout, or a server error.
    private func failure(_ connection: OpaquePointer, _ result: OpaquePointer?) -> PostgresError {
        if PQstatus(connection) == CONNECTION_BAD {
            lost = true
            return .connectionLost(
                server: server, reason: PostgresConnectFailure.lossReason(String(cString: PQerrorMessage(connection))))
        }
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        guard let sqlState = field(UInt8(ascii: "C")) else {
            // A client-side failure (libpq could not send, or rejected the call).
            var message = String(cString: PQerrorMessage(connection))
            if let result, let text = PQresultErrorMessage(result) { message = String(cString: text) }
            // The protocol state is suspect: start from a fresh connection on the next call.
            let reason = PostgresConnectFailure.lossReason(message)
            lost = true
            return .connectionLost(server: server, reason: reason.isEmpty ? "libpq reported an error" : reason)
        }
        let message = field(UInt8(ascii: "M")) ?? ""
        if sqlState == SQLState.queryCanceled, message.contains("statement timeout") {
            return .statementTimeout(server: server, milliseconds: localStatementTimeout ?? statementTimeout)
        }
        return .server(
            PostgresServerError(
                server: server, sqlState: sqlState, severity: field(UInt8(ascii: "V")) ?? field(UInt8(ascii: "S")) ?? "ERROR",
                message: message, detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")),
                schema: field(UInt8(ascii: "s")), table: field(UInt8(ascii: "t")), column: field(UInt8(ascii: "c")),
                constraint: field(UInt8(ascii: "n"))))
    }

    /// Leaves a COPY that a statement started, so the connection is usable again.
    private func abandonCopy(_ connection: OpaquePointer, _ status: ExecStatusType) {
        switch status {
        case PGRES_COPY_OUT:
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(connection, &buffer, 0) > 0 {
                PQfreemem(buffer)
                buffer = nil
            }
        case PGRES_COPY_IN:
            _ = PQputCopyEnd(connection, "COPY is not supported by this client")
        default:
            lost = true  // COPY BOTH is replication: no way back but a new connection.
            return
        }
        while let result = PQgetResult(connection) { PQclear(result) }
    }

    /// Asks the server to stop the running statement (used when a stream's row handler throws).
    private func cancel(_ connection: OpaquePointer) {
        guard let cancel = PQgetCancel(connection) else { return }
        defer { PQfreeCancel(cancel) }
        var buffer = [CChar](repeating: 0, count: 256)
        if PQcancel(cancel, &buffer, Int32(buffer.count)) == 0 {
            let message = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            logger.warning("could not cancel the statement: \(String(decoding: message, as: UTF8.self))")
        }
    }

    private func quote(_ identifier: String, on connection: OpaquePointer) throws(PostgresError) -> String {
        guard !identifier.isEmpty, identifier.utf8.count <= 63, !identifier.utf8.contains(0) else {
            throw .invalidArgument(
                "channel name \"\(PostgresError.clip(identifier))\" must be 1 to 63 bytes without NUL")
        }
        guard let quoted = PQescapeIdentifier(connection, identifier, identifier.utf8.count) else {
            throw .invalidArgument(
                "cannot quote \"\(identifier)\": \(PostgresConnectionString.firstLine(String(cString: PQerrorMessage(connection))))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: copying results out of libpq

    private static func columns(of result: OpaquePointer) -> PostgresColumns {
        let count = PQnfields(result)
        var names: [String] = []
        var types: [UInt32] = []
        names.reserveCapacity(Int(count))
        types.reserveCapacity(Int(count))
        for index in 0..<count {
            names.append(PQfname(result, index).map { String(cString: $0) } ?? "")
            types.append(PQftype(result, index))
        }
        return PostgresColumns(names: names, typeOIDs: types)
    }

    private static func row(_ row: Int32, of result: OpaquePointer, columns: PostgresColumns) -> PostgresRow {
        var values: [String?] = []
        values.reserveCapacity(columns.count)
        for column in 0..<Int32(columns.count) {
            if PQgetisnull(result, row, column) == 1 {
                values.append(nil)
            } else if let value = PQgetvalue(result, row, column) {
                let length = Int(PQgetlength(result, row, column))
                let bytes = UnsafeBufferPointer(
                    start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length)
                values.append(String(decoding: bytes, as: UTF8.self))
            } else {
                values.append(nil)
            }
        }
        return PostgresRow(columns: columns, values: values)
    }

    private static func result(from result: OpaquePointer) -> PostgresResult {
        let columns = columns(of: result)
        let count = PQntuples(result)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(count))
        for index in 0..<count { rows.append(row(index, of: result, columns: columns)) }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        return PostgresResult(columns: columns, rows: rows, commandTag: tag, affectedRows: affected)
    }

    private static func drainNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            let channel = notify.pointee.relname.map { String(cString: $0) } ?? ""
            let payload = notify.pointee.extra.map { String(cString: $0) } ?? ""
            notifications.append(PostgresNotification(channel: channel, payload: payload, processID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return notifications
    }

    /// Milliseconds for poll(): rounded up so a short wait never becomes a busy loop, capped at Int32.
    private static func pollMilliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return Int32.max }
        let total = milliseconds.partialValue + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
