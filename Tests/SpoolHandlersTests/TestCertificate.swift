import Foundation
import SpoolTestSupport

/// A self-signed certificate for 127.0.0.1 (ECDSA P-256, subjectAltName IP:127.0.0.1), made with the
/// `openssl` command once per test process. It is its own CA: trust it with `ca_file`.
///
/// The files live under `SPOOL_TEST_TMP` when set (scripts/test removes that folder), else the temporary folder.
struct TestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    /// The process's certificate, made on first use.
    static func shared() throws -> TestCertificate { try made.get() }

    private static let made = Result<TestCertificate, any Error> { try make() }

    private static func make() throws -> TestCertificate {
        let base = ProcessInfo.processInfo.environment["SPOOL_TEST_TMP"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        let directory = base + "/spool-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificate = TestCertificate(certificatePath: directory + "/cert.pem", keyPath: directory + "/key.pem")
        let openssl = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/openssl"
        let process = try ChildProcess(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", certificate.keyPath, "-out", certificate.certificatePath, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ], logFile: directory + "/openssl.log")
        process.wait()
        guard process.exitCode == 0, FileManager.default.fileExists(atPath: certificate.certificatePath) else {
            let log = (try? String(contentsOfFile: directory + "/openssl.log", encoding: .utf8)) ?? ""
            throw TestServerError(description: "openssl could not make a test certificate (exit \(process.exitCode ?? -1)): \(log)")
        }
        return certificate
    }
}
