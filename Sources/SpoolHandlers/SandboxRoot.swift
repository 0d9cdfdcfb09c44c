#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory that job paths are confined to.
///
/// Job paths are relative (no leading `/`), have no `..` component, and must still lie inside the root once
/// every symlink is resolved: the existing part of a path is resolved with `realpath` and checked against
/// the root's own real path. (Resolution and use are separate system calls; the roots are assumed not to be
/// writable by whoever could race them.)
public struct SandboxRoot: Sendable, Hashable, CustomStringConvertible {
    /// The root's real path (symlinks resolved, no trailing slash).
    public let path: String

    /// Resolves `path`, which must be an existing directory.
    public init(_ path: String) throws(FileHandlerError) {
        guard let real = Self.resolve(path) else {
            throw .invalidPath(path: path, problem: "the root directory does not exist or cannot be resolved — create it")
        }
        guard Self.isDirectory(real) else { throw .invalidPath(path: path, problem: "the root is not a directory") }
        self.path = real
    }

    /// The root's path.
    public var description: String { path }

    /// The real path of an existing file under the root.
    ///
    /// - Throws: ``FileHandlerError/pathEscapesRoot(path:root:)`` when the path or a symlink on it leads
    ///   outside, ``FileHandlerError/sourceNotFound(path:)`` when nothing is there, or
    ///   ``FileHandlerError/invalidPath(path:problem:)`` when it is not a regular file.
    public func existingFile(_ relative: String) throws(FileHandlerError) -> String {
        let joined = try join(relative)
        guard let real = Self.resolve(joined) else {
            // A dangling symlink, or nothing: say which, but never follow a link outside.
            if let parent = Self.resolve(Self.parent(of: joined)), !contains(parent) {
                throw .pathEscapesRoot(path: relative, root: path)
            }
            throw .sourceNotFound(path: relative)
        }
        guard contains(real) else { throw .pathEscapesRoot(path: relative, root: path) }
        var info = stat()
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw .invalidPath(path: relative, problem: "not a regular file")
        }
        return real
    }

    /// The path a new file `relative` gets under the root, creating missing parent directories (each one
    /// checked to stay inside the root before the next is created).
    ///
    /// The last component itself is not resolved: files are renamed into place, which replaces a symlink
    /// there rather than writing through it.
    public func newFile(_ relative: String) throws(FileHandlerError) -> String {
        _ = try join(relative)
        let components = relative.split(separator: "/").map(String.init)
        var directory = path
        for component in components.dropLast() {
            let next = directory + "/" + component
            if mkdir(next, 0o755) != 0 && errno != EEXIST {
                throw .io(operation: "mkdir", path: next, errno: errno)
            }
            guard let real = Self.resolve(next), contains(real) else { throw .pathEscapesRoot(path: relative, root: path) }
            guard Self.isDirectory(real) else {
                throw .invalidPath(path: relative, problem: "\(component) is not a directory")
            }
            directory = real
        }
        let name = components.last ?? ""
        let target = directory + "/" + name
        var info = stat()
        if lstat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw .invalidPath(path: relative, problem: "a directory is in the way")
        }
        return target
    }

    /// Whether `real` (a resolved path) is the root or inside it.
    func contains(_ real: String) -> Bool { real == path || real.hasPrefix(path == "/" ? "/" : path + "/") }

    private func join(_ relative: String) throws(FileHandlerError) -> String {
        guard !relative.isEmpty else { throw .invalidPath(path: relative, problem: "the path is empty") }
        guard !relative.utf8.contains(0) else { throw .invalidPath(path: relative, problem: "the path holds a NUL byte") }
        guard !relative.hasPrefix("/") else { throw .pathEscapesRoot(path: relative, root: path) }
        let components = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains("..") else { throw .pathEscapesRoot(path: relative, root: path) }
        guard let last = components.last, last != "." else {
            throw .invalidPath(path: relative, problem: "the path does not name a file")
        }
        return path + "/" + components.joined(separator: "/")
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
