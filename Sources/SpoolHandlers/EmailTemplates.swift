import Foundation
import Mustache

/// Named email templates in one directory: `<name>.subject.mustache`, `<name>.text.mustache` and
/// `<name>.html.mustache` (any of them; at least one body). Rendering is strict: a variable the data does not
/// supply is an error naming it, never an empty string. Sections (`{{#x}}`, `{{^x}}`) over a missing value
/// are allowed and count as false. Subject and text render without HTML escaping; html escapes.
/// Files are read on every render, so edits apply without a restart.
public struct EmailTemplates: Sendable {
    /// The directory holding the template files.
    public let directory: String

    /// What a template produced.
    public struct Rendered: Sendable, Hashable {
        /// The subject (one line), when the template has a subject file.
        public var subject: String?
        /// The plain-text body, when the template has a text file.
        public var text: String?
        /// The html body, when the template has an html file.
        public var html: String?
    }

    /// Templates in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// Renders template `name` with `data`; throws if it does not exist, does not parse, or uses a variable
    /// `data` lacks.
    public func render(_ name: String, data: EmailTemplateValue?) throws(EmailError) -> Rendered {
        let nameChars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.".utf8)
        guard !name.isEmpty, !name.hasPrefix("."), name.utf8.allSatisfy(nameChars.contains) else {
            throw .templateNotFound(name: name, directory: directory)
        }
        let root = data ?? .object([:])
        var sources: [String: String] = [:]
        for part in ["subject", "text", "html"] {
            let path = directory + "/" + name + "." + part + ".mustache"
            if let data = FileManager.default.contents(atPath: path) {
                sources[part] = String(decoding: data, as: UTF8.self)
            }
        }
        guard sources["text"] != nil || sources["html"] != nil else {
            throw .templateNotFound(name: name, directory: directory)
        }
        var missing: [String] = []
        var rendered = Rendered()
        for (part, source) in sources.sorted(by: { $0.key < $1.key }) {
            let file = "\(name).\(part).mustache"
            let nodes: [EmailTemplateScanner.Node]
            do {
                nodes = try EmailTemplateScanner.parse(source)
            } catch {
                throw .templateSyntax(file: file, reason: error.reason)
            }
            for variable in EmailTemplateScanner.unresolved(nodes, stack: [root]) where !missing.contains(variable) {
                missing.append(variable)
            }
            let text = part == "html" ? source : "{{% CONTENT_TYPE: TEXT}}" + source
            let template: MustacheTemplate
            do {
                template = try MustacheTemplate(string: text)
            } catch {
                throw .templateSyntax(file: file, reason: "\(error)")
            }
            let output = template.render(root.mustacheValue)
            switch part {
            case "subject":
                rendered.subject = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            case "text": rendered.text = output
            default: rendered.html = output
            }
        }
        if !missing.isEmpty { throw .missingTemplateVariables(template: name, names: missing) }
        return rendered
    }
}
