/// A transaction isolation level for ``PostgresConnection/transaction(isolation:readOnly:_:)``.
public enum PostgresIsolationLevel: String, Sendable, CaseIterable {
    /// Each statement sees data committed before it began (the server default).
    case readCommitted = "READ COMMITTED"
    /// All statements see one snapshot taken at the first statement.
    case repeatableRead = "REPEATABLE READ"
    /// As if transactions ran one after another; be ready to retry on SQLSTATE 40001.
    case serializable = "SERIALIZABLE"
}
