import ArgumentParser
import Foundation
import Spool
import SpoolHandlers

/// `spool email …`: the suppression list of addresses a mail server refused for good.
struct EmailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "email",
        abstract: "Addresses the email handler no longer sends to (refused with a 5xx): list them, remove one.",
        subcommands: [EmailSuppressedCommand.self, EmailUnsuppressCommand.self]
    )
}

/// `spool email suppressed`: every suppressed address with the server's reply.
struct EmailSuppressedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressed",
        abstract: "List suppressed addresses and why (the server's reply, when, which job).",
        discussion: #"JSON: {"suppressed": [{"address", "reason"}]}"#
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let list = EmailSuppressionList(client: try global.client())
        let entries = try spool { () throws(SpoolError) in try list.list() }
        if global.json {
            try Output.printJSON(["suppressed": entries.map { ["address": $0.address, "reason": $0.reason] }])
        } else if entries.isEmpty {
            Output.line("no suppressed addresses under prefix \(global.prefix)")
        } else {
            Output.table(["ADDRESS", "REASON"], entries.map { [$0.address, $0.reason] })
        }
    }
}

/// `spool email unsuppress ADDRESS`: mail to ADDRESS goes out again.
struct EmailUnsuppressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsuppress",
        abstract: "Remove an address from the suppression list (exit 3 if it was not on it).",
        discussion: #"JSON: {"address", "suppressed": false}"#
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address (case does not matter).") var address: String

    func run() throws {
        let list = EmailSuppressionList(client: try global.client())
        let address = self.address
        guard try spool({ () throws(SpoolError) in try list.remove(address) }) else {
            throw CLIFailure.notFound("\(address) is not suppressed under prefix \(global.prefix)")
        }
        if global.json { try Output.printJSON(["address": address.lowercased(), "suppressed": false]) } else {
            Output.line("\(address.lowercased()) removed from the suppression list")
        }
    }
}
