import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads attachment files from under its roots and nowhere else: the default root (`attachments_root`) and
/// named ones (`attachment_roots`, e.g. `reports`). Paths must be relative, may not contain `..`, and must
/// still be inside their root after every symlink is resolved. The attachments of one message may total at
/// most `maxTotalBytes`.
public struct EmailAttachmentLoader: Sendable {
    /// The directory attachments without a `root` are read from; nil refuses them.
    public let root: String?
    /// Further directories, by the name a payload's `root` gives.
    public let namedRoots: [String: String]
    /// The most bytes all attachments of one message may add up to.
    public let maxTotalBytes: Int

    /// A loader confined to `root` and `namedRoots`.
    public init(root: String?, namedRoots: [String: String] = [:], maxTotalBytes: Int) {
        self.root = root
        self.namedRoots = namedRoots
        self.maxTotalBytes = maxTotalBytes
    }

    /// Loads every requested attachment, in order; throws on the first that is refused or unreadable.
    public func load(_ requests: [EmailPayload.Attachment]) throws(EmailError) -> [EmailAttachment] {
        var total = 0
        var result: [EmailAttachment] = []
        for request in requests {
            let path = try resolve(request.path, in: request.root)
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw .attachmentNotFound(path: request.path)
            }
            total += Int(info.st_size)
            if total > maxTotalBytes { throw .attachmentsTooLarge(total: total, limit: maxTotalBytes) }
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .attachmentUnreadable(path: request.path, reason: "\(error.localizedDescription)")
            }
            let filename = request.filename ?? (request.path.split(separator: "/").last.map(String.init) ?? "attachment")
            if filename.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) || filename.utf8.count > 200 {
                throw .invalidHeader(name: "attachment filename", reason: "control characters or longer than 200 bytes")
            }
            let contentType = request.contentType ?? EmailAttachment.guessContentType(for: filename)
            guard Self.isMediaType(contentType) else {
                throw .invalidHeader(name: "attachment content_type", reason: "\"\(contentType)\" is not type/subtype")
            }
            result.append(EmailAttachment(filename: filename, contentType: contentType, bytes: Array(data)))
        }
        return result
    }

    /// The real path of `relative` under the root named `rootName` (nil: the default root); throws if the root
    /// is not configured, or the path is absolute, uses `..`, or escapes the root.
    public func resolve(_ relative: String, in rootName: String? = nil) throws(EmailError) -> String {
        let base: String
        if let rootName {
            guard let named = namedRoots[rootName] else {
                throw .unknownAttachmentRoot(rootName, known: namedRoots.keys.sorted())
            }
            base = named
        } else {
            guard let root else { throw .attachmentsNotConfigured }
            base = root
        }
        return try resolve(relative, under: base)
    }

    private func resolve(_ relative: String, under root: String) throws(EmailError) -> String {
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        if relative.isEmpty || relative.hasPrefix("/") || relative.utf8.contains(0)
            || components.contains(where: { $0 == ".." }) {
            throw .attachmentOutsideRoot(path: relative)
        }
        guard let realRoot = Self.realPath(root) else { throw .attachmentNotFound(path: relative) }
        guard let real = Self.realPath(realRoot + "/" + relative) else { throw .attachmentNotFound(path: relative) }
        let prefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
        guard real.hasPrefix(prefix) else { throw .attachmentOutsideRoot(path: relative) }
        return real
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let token = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&^_.+-".utf8)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(token.contains) }
    }
}
