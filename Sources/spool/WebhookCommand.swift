import ArgumentParser
import Foundation
import Spool
import SpoolHandlers

/// `spool webhook …`: endpoints the webhook handler disabled (after a 410 Gone), and re-enabling them.
struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Webhook endpoints disabled after a 410 Gone: list them, re-enable one.",
        subcommands: [WebhookDisabledCommand.self, WebhookEnableCommand.self]
    )
}

/// `spool webhook disabled`: every disabled endpoint with when and why.
struct WebhookDisabledCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disabled",
        abstract: "List disabled webhook endpoints (deliveries to them fail at once until re-enabled).",
        discussion: #"JSON: {"disabled": [{"endpoint", "reason", "disabledAt"}]}"#
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let admin = WebhookEndpointAdmin(client: try global.client())
        let endpoints = try spool { () throws(SpoolError) in try admin.disabledEndpoints() }
        if global.json {
            try Output.printJSON(["disabled": endpoints.map { endpoint -> [String: Any] in
                ["endpoint": endpoint.name, "reason": endpoint.reason, "disabledAt": TimeFormat.json(endpoint.disabledAt)]
            }])
        } else if endpoints.isEmpty {
            Output.line("no disabled webhook endpoints under prefix \(global.prefix)")
        } else {
            Output.table(["ENDPOINT", "DISABLED", "REASON"], endpoints.map { [$0.name, TimeFormat.human($0.disabledAt), $0.reason] })
        }
    }
}

/// `spool webhook enable NAME`: deliveries to NAME go out again.
struct WebhookEnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Re-enable a disabled webhook endpoint (exit 3 if it was not disabled).",
        discussion: #"JSON: {"endpoint", "enabled": true}"#
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's name, as configured under handlers.webhook.endpoints.") var endpoint: String

    func run() throws {
        let admin = WebhookEndpointAdmin(client: try global.client())
        let name = endpoint
        guard try spool({ () throws(SpoolError) in try admin.enable(name) }) else {
            throw CLIFailure.notFound("webhook endpoint \(name) is not disabled under prefix \(global.prefix)")
        }
        if global.json { try Output.printJSON(["endpoint": name, "enabled": true]) } else {
            Output.line("webhook endpoint \(name) enabled")
        }
    }
}
