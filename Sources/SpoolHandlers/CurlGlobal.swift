import CCurl

/// libcurl's process-wide set-up, done once before any other libcurl call.
enum CurlGlobal {
    /// `curl_global_init` runs the first time this is read; Swift runs a static's initialiser exactly once,
    /// under a lock, so two threads can never call it at the same time.
    private static let initCode: UInt32 = curl_global_init(Int(CURL_GLOBAL_ALL)).rawValue

    /// Makes sure libcurl is initialised; throws if `curl_global_init` failed.
    static func ensureInitialized() throws(HTTPClientError) {
        guard initCode == CURLE_OK.rawValue else {
            throw .initializationFailed(reason: "curl_global_init failed with code \(initCode)")
        }
    }
}
