import Crypto

/// Incremental SHA-256 with a lowercase hex result.
struct FileSHA256 {
    private var hasher = SHA256()

    mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    /// The hex digest of everything fed so far.
    func finalize() -> String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
