/// The columns of a result: names and type OIDs, in order, shared by all its rows.
public struct PostgresColumns: Sendable {
    /// Column names as the server sent them (`?column?` for unnamed expressions).
    public let names: [String]
    /// Type OID of each column (25 text, 20 int8, 17 bytea, 1184 timestamptz, …).
    public let typeOIDs: [UInt32]
    private let indexByName: [String: Int]

    /// Columns in order; when a name repeats, lookups by name find the first.
    public init(names: [String], typeOIDs: [UInt32]) {
        self.names = names
        self.typeOIDs = typeOIDs
        var index = [String: Int]()
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        indexByName = index
    }

    /// Number of columns.
    public var count: Int { names.count }

    /// Position of the column called `name`, or `nil`.
    public func index(of name: String) -> Int? { indexByName[name] }

    static let byteaOID: UInt32 = 17
}

/// Something that picks a column: its position (`Int`, from 0) or its name (`String`).
public protocol PostgresColumnKey: Sendable {
    /// The position of this column in `columns`; throws ``PostgresError/noSuchColumn(_:available:)``.
    func columnIndex(in columns: PostgresColumns) throws(PostgresError) -> Int
}

extension Int: PostgresColumnKey {
    /// `self` when it is a valid position.
    public func columnIndex(in columns: PostgresColumns) throws(PostgresError) -> Int {
        guard self >= 0, self < columns.count else {
            throw .noSuchColumn(String(self), available: columns.names)
        }
        return self
    }
}

extension String: PostgresColumnKey {
    /// The position of the first column with this name.
    public func columnIndex(in columns: PostgresColumns) throws(PostgresError) -> Int {
        guard let index = columns.index(of: self) else {
            throw .noSuchColumn("\"\(self)\"", available: columns.names)
        }
        return index
    }
}
