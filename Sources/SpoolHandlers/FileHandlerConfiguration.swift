/// Settings of the `spool.file` handler, from the `files` section of the daemon's configuration.
///
/// ```yaml
/// files:
///   source_root: /srv/spool/incoming       # required: job sources are confined here
///   destination_root: /srv/spool/processed # required: outputs are confined here
///   max_bytes: 1073741824                  # optional, default 1 GiB: verify, gunzip and download limit
///   allowed_types: [png, jpeg, csv, json]  # optional, default all; see FileType
///   download:                              # optional: allows https:// sources; see FileDownloadConfiguration
///     allowed_networks: [10.1.0.0/16]
/// ```
public struct FileHandlerConfiguration: Sendable, Hashable {
    /// The directory job sources are read from.
    public var sourceRoot: String
    /// The directory outputs are written to.
    public var destinationRoot: String
    /// The largest data `verify` accepts, `gunzip` produces and a download may bring.
    public var maxBytes: Int64
    /// The types `verify` accepts.
    public var allowedTypes: Set<FileType>
    /// How URL sources are fetched; nil refuses them.
    public var download: FileDownloadConfiguration?

    /// The keys this section understands.
    public static let keys: Set<String> = ["source_root", "destination_root", "max_bytes", "allowed_types", "download"]
    /// `max_bytes` when not set: 1 GiB.
    public static let defaultMaxBytes: Int64 = 1 << 30

    /// Creates a configuration directly.
    public init(sourceRoot: String, destinationRoot: String, maxBytes: Int64 = defaultMaxBytes,
                allowedTypes: Set<FileType> = Set(FileType.allCases), download: FileDownloadConfiguration? = nil) {
        self.sourceRoot = sourceRoot
        self.destinationRoot = destinationRoot
        self.maxBytes = maxBytes
        self.allowedTypes = allowedTypes
        self.download = download
    }

    /// Parses a configuration section (as YAML or JSON decodes it).
    ///
    /// - Parameters:
    ///   - dictionary: the section's keys and values.
    ///   - file: the file it came from, for messages.
    ///   - key: where the section sits in that file (e.g. `files`), for messages.
    /// - Throws: ``FileHandlerConfigurationError/invalid(file:key:problem:)`` naming the offending key.
    public init(dictionary: [String: Any], file: String, key: String) throws(FileHandlerConfigurationError) {
        func fail(_ name: String, _ problem: String) -> FileHandlerConfigurationError {
            .invalid(file: file, key: key.isEmpty ? name : key + "." + name, problem: problem)
        }
        if let unknown = dictionary.keys.filter({ !Self.keys.contains($0) }).sorted().first {
            throw fail(unknown, "unknown key — expected one of \(Self.keys.sorted().joined(separator: ", "))")
        }
        func path(_ name: String) throws(FileHandlerConfigurationError) -> String {
            guard let value = dictionary[name] else { throw fail(name, "missing — set it to an absolute directory path") }
            guard let text = value as? String, text.hasPrefix("/") else {
                throw fail(name, "must be an absolute directory path (got \(value))")
            }
            return text
        }
        sourceRoot = try path("source_root")
        destinationRoot = try path("destination_root")
        if let value = dictionary["max_bytes"] {
            guard !(value is Bool), let number = (value as? Int).map(Int64.init) ?? (value as? Int64), number > 0 else {
                throw fail("max_bytes", "must be a positive whole number of bytes (got \(value))")
            }
            maxBytes = number
        } else {
            maxBytes = Self.defaultMaxBytes
        }
        if let value = dictionary["allowed_types"] {
            guard let names = value as? [Any] else { throw fail("allowed_types", "must be a list such as [png, csv] (got \(value))") }
            var types = Set<FileType>()
            for name in names {
                guard let text = name as? String, let type = FileType(rawValue: text.lowercased()) else {
                    throw fail("allowed_types", "unknown type \(name) — known: \(FileType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                types.insert(type)
            }
            guard !types.isEmpty else { throw fail("allowed_types", "is empty, so verify would refuse everything") }
            allowedTypes = types
        } else {
            allowedTypes = Set(FileType.allCases)
        }
        if let value = dictionary["download"] {
            guard let map = value as? [String: Any] else {
                throw fail("download", "must be a mapping — write download: {} for the defaults, or remove it to refuse URL sources")
            }
            download = try FileDownloadConfiguration(dictionary: map, file: file, key: key.isEmpty ? "download" : key + ".download")
        } else {
            download = nil
        }
    }
}
