import Foundation
import SpoolHandlers
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Webhook outcome classification against a real server")
struct WebhookOutcomeTests {
    /// Sends GET `path` to the server and classifies the result.
    static func outcome(_ server: TestServer, _ client: HTTPClient, _ path: String, now: Date = Date()) throws -> WebhookOutcome {
        let result: Result<HTTPResponse, HTTPClientError>
        do throws(HTTPClientError) {
            result = .success(try client.send(server.request(path, method: "POST", body: Array("{}".utf8))))
        } catch {
            result = .failure(error)
        }
        return WebhookOutcome.classify(result, now: now)
    }

    static func isRetry(_ outcome: WebhookOutcome, after: Duration?, counts: Bool) -> Bool {
        outcome == .retry(after: after, countsAsAttempt: counts)
    }

    static func isPermanent(_ outcome: WebhookOutcome, disable: Bool) -> Bool {
        if case .permanent(let disableEndpoint, let reason) = outcome {
            return disableEndpoint == disable && !reason.isEmpty
        }
        return false
    }

    @Test func statusRules() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            for status in [200, 201, 202, 204, 299] {
                #expect(try Self.outcome(server, client, "/status/\(status)") == .delivered, "\(status)")
            }
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after/429/7"), after: .seconds(7), counts: false))
            #expect(Self.isRetry(try Self.outcome(server, client, "/status/429"), after: nil, counts: false))
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after/503/11"), after: .seconds(11), counts: true))
            #expect(Self.isRetry(try Self.outcome(server, client, "/status/503"), after: nil, counts: true))
            for status in [408, 425, 500, 502, 504, 599] {
                #expect(Self.isRetry(try Self.outcome(server, client, "/status/\(status)"), after: nil, counts: true), "\(status)")
            }
            // Retry-After on other statuses does not change the rule: backoff.
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after/500/30"), after: nil, counts: true))
            #expect(Self.isPermanent(try Self.outcome(server, client, "/status/410"), disable: true))
            for status in [400, 401, 403, 404, 405, 409, 413, 422] {
                #expect(Self.isPermanent(try Self.outcome(server, client, "/status/\(status)"), disable: false), "\(status)")
            }
            // Cap: a Retry-After of a week is cut to 24 h; garbage means "no hint".
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after/429/604800"), after: .seconds(86_400), counts: false))
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after/429/soon"), after: nil, counts: false))
        }
    }

    @Test func retryAfterAsAnHTTPDate() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            for (status, counts) in [(429, false), (503, true)] {
                let outcome = try Self.outcome(server, client, "/retry-after-date/\(status)/120")
                guard case .retry(let after?, let countsAsAttempt) = outcome else {
                    Issue.record("expected a retry with a delay, got \(outcome)")
                    continue
                }
                #expect(countsAsAttempt == counts)
                // The date has whole seconds, so the wait is 119–121 s.
                #expect(after >= .seconds(119) && after <= .seconds(121), "\(after)")
            }
            // A date in the past means "now"; one two days ahead is capped at 24 h.
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after-date/503/-60"), after: .zero, counts: true))
            #expect(Self.isRetry(try Self.outcome(server, client, "/retry-after-date/429/172800"), after: .seconds(86_400), counts: false))
        }
    }

    @Test func aRedirectIsNotFollowedAndIsPermanent() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            let outcome = try Self.outcome(server, client, "/redirect")
            guard case .permanent(false, let reason) = outcome else {
                Issue.record("expected permanent, got \(outcome)")
                return
            }
            #expect(reason.contains("302"))
            #expect(reason.contains("/status/200"))
            #expect(try server.requests().count == 1)
        }
    }

    @Test func transportFailuresRetryAndSSRFRefusalsArePermanent() throws {
        try withTestServer { server in
            let client = try HTTPClient()
            var slow = server.request("/slow/2000", method: "POST", body: Array("{}".utf8))
            slow.timeout = .milliseconds(300)
            var timeoutResult: Result<HTTPResponse, HTTPClientError> = .failure(.connectionRefused(host: ""))
            do throws(HTTPClientError) { timeoutResult = .success(try client.send(slow)) } catch { timeoutResult = .failure(error) }
            guard case .failure(.totalTimeout) = timeoutResult else {
                Issue.record("expected a total timeout, got \(timeoutResult)")
                return
            }
            #expect(WebhookOutcome.classify(timeoutResult) == .retry(after: nil, countsAsAttempt: true))

            let refusedPort = try freeLoopbackPort()
            let refused = HTTPRequest(method: "POST", url: "http://127.0.0.1:\(refusedPort)/", ssrfPolicy: TestServer.loopbackPolicy)
            do throws(HTTPClientError) {
                _ = try client.send(refused)
                Issue.record("a free port should refuse")
            } catch {
                #expect(error == .connectionRefused(host: "127.0.0.1:\(refusedPort)"))
                #expect(WebhookOutcome.classify(error) == .retry(after: nil, countsAsAttempt: true))
            }

            let (port, fds) = try saturatedListener()
            defer { fds.forEach { close($0) } }
            let hanging = HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/", connectTimeout: .milliseconds(200),
                                      ssrfPolicy: TestServer.loopbackPolicy)
            do throws(HTTPClientError) {
                _ = try client.send(hanging)
                Issue.record("a full accept queue should time out")
            } catch {
                #expect(error == .connectTimeout(host: "127.0.0.1:\(port)", after: .milliseconds(200)))
                #expect(WebhookOutcome.classify(error) == .retry(after: nil, countsAsAttempt: true))
            }

            let guarded = HTTPRequest(method: "POST", url: server.url("/status/200"))
            do throws(HTTPClientError) {
                _ = try client.send(guarded)
                Issue.record("the default policy should refuse 127.0.0.1")
            } catch {
                guard case .permanent(false, let reason) = WebhookOutcome.classify(error) else {
                    Issue.record("expected permanent for \(error)")
                    return
                }
                #expect(reason.contains("SSRF"))
            }
        }
    }
}

@Suite("Retry-After parsing")
struct RetryAfterTests {
    static let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func deltaSeconds() {
        #expect(RetryAfter.parse("120", now: Self.now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: Self.now) == .zero)
        #expect(RetryAfter.parse("100000", now: Self.now) == .seconds(86_400))
        #expect(RetryAfter.parse("99999999999999999999999", now: Self.now) == .seconds(86_400))
        #expect(RetryAfter.parse("30", now: Self.now, cap: .seconds(10)) == .seconds(10))
        #expect(RetryAfter.parse("-5", now: Self.now) == nil)
        #expect(RetryAfter.parse("1.5", now: Self.now) == nil)
        #expect(RetryAfter.parse("", now: Self.now) == nil)
    }

    @Test func httpDatesInAllThreeForms() {
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.httpDate("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(RetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.httpDate("Tue, 29 Feb 2028 23:59:60 GMT") == 1_835_481_600)
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 PST") == nil)
        #expect(RetryAfter.httpDate("Sun, 06 Foo 1994 08:49:37 GMT") == nil)
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 24:00:00 GMT") == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:51:37 GMT", now: Self.now) == .seconds(120))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: Self.now) == .zero)
        #expect(RetryAfter.parse("Wed, 09 Nov 1994 08:49:37 GMT", now: Self.now) == .seconds(86_400))
    }
}
