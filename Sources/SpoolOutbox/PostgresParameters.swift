import CLibpq

/// Statement parameters as the C arrays `PQexecParams` / `PQsendQueryParams` take.
///
/// Owns its buffers and frees them on deinit; build it and use it inside the same locked call.
struct PostgresParameters: ~Copyable {
    private var values: [UnsafePointer<CChar>?] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []
    private var types: [Oid] = []

    /// Bytea's type OID: binary parameters carry their type so `SELECT $1` works too.
    private static let byteaOID: Oid = 17

    /// Encodes `parameters` (text format; bytes in binary format; `nil` is NULL).
    /// Throws before allocating anything when a parameter cannot be sent.
    init(_ parameters: [PostgresValue?]) throws(PostgresError) {
        guard parameters.count <= 65_535 else {
            throw .invalidArgument(
                "\(parameters.count) parameters in one statement; Postgres takes at most 65535 — send fewer rows per statement")
        }
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case .bytes(let bytes)? where bytes.count > Int(Int32.max):
                throw .invalidArgument("parameter $\(index + 1) is \(bytes.count) bytes; libpq sends at most 2 GiB")
            case let value?:
                if let text = value.textForm, text.utf8.contains(0) {
                    throw .invalidArgument(
                        "parameter $\(index + 1) contains a NUL byte, which Postgres text cannot hold — send it as .bytes")
                }
            case nil:
                break
            }
        }
        values.reserveCapacity(parameters.count)
        lengths.reserveCapacity(parameters.count)
        formats.reserveCapacity(parameters.count)
        types.reserveCapacity(parameters.count)
        for parameter in parameters {
            switch parameter {
            case nil:
                values.append(nil)
                lengths.append(0)
                formats.append(0)
                types.append(0)
            case .bytes(let bytes)?:
                values.append(Self.copy(bytes, terminated: false))
                lengths.append(Int32(bytes.count))
                formats.append(1)
                types.append(Self.byteaOID)
            case let value?:
                let text = value.textForm ?? ""
                values.append(Self.copy(Array(text.utf8), terminated: true))
                lengths.append(0)
                formats.append(0)
                types.append(0)  // let the server infer the type from the statement, as for a literal
            }
        }
    }

    deinit {
        for value in values {
            if let value { UnsafeMutableRawPointer(mutating: value).deallocate() }
        }
    }

    /// Calls `body` with (count, types, values, lengths, formats), valid only during the call.
    func withCArrays<R>(
        _ body: (
            Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?
        ) -> R
    ) -> R {
        types.withUnsafeBufferPointer { types in
            values.withUnsafeBufferPointer { values in
                lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in
                        body(
                            Int32(values.count), types.baseAddress, values.baseAddress, lengths.baseAddress,
                            formats.baseAddress)
                    }
                }
            }
        }
    }

    /// A malloc'ed copy of `bytes`, NUL-terminated when `terminated`.
    private static func copy(_ bytes: [UInt8], terminated: Bool) -> UnsafePointer<CChar> {
        let size = bytes.count + (terminated ? 1 : 0)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.copyMemory(from: base, byteCount: source.count) }
        }
        if terminated { buffer.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self) }
        return UnsafePointer(buffer.bindMemory(to: CChar.self, capacity: max(size, 1)))
    }
}
