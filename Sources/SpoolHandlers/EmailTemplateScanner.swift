/// A small reader of mustache tags that finds the variables a template would look up without a value, so
/// rendering can be strict (swift-mustache renders a missing variable as an empty string). Handles
/// variables, triple/ampersand variables, sections, inverted sections, comments and pragmas; partials and
/// delimiter changes are refused (templates are self-contained files).
enum EmailTemplateScanner {
    indirect enum Node {
        case variable(String)
        case section(String, inverted: Bool, body: [Node])
    }

    struct ParseError: Error {
        let reason: String
    }

    static func parse(_ source: String) throws(ParseError) -> [Node] {
        let bytes = Array(source.utf8)
        var stack: [(name: String, inverted: Bool, nodes: [Node])] = [("", false, [])]
        var index = 0
        let open: [UInt8] = Array("{{".utf8)
        while index < bytes.count {
            guard let start = find(open, in: bytes, from: index) else { break }
            var tagStart = start + 2
            var closer = Array("}}".utf8)
            if tagStart < bytes.count, bytes[tagStart] == UInt8(ascii: "{") {
                closer = Array("}}}".utf8)
                tagStart += 1
            }
            guard let end = find(closer, in: bytes, from: tagStart) else {
                throw ParseError(reason: "unclosed tag at byte \(start)")
            }
            var content = String(decoding: bytes[tagStart..<end], as: UTF8.self).trimmingASCIIWhitespace()
            index = end + closer.count
            if closer.count == 3 {
                stack[stack.count - 1].nodes.append(.variable(content))
                continue
            }
            let sigil = content.first
            switch sigil {
            case "!", "%":
                continue
            case ">", "<", "$", "=":
                throw ParseError(reason: "tag {{\(content)}} (partials, blocks and delimiter changes) is not supported")
            case "#", "^":
                content.removeFirst()
                stack.append((content.trimmingASCIIWhitespace(), sigil == "^", []))
            case "/":
                content.removeFirst()
                let name = content.trimmingASCIIWhitespace()
                guard stack.count > 1, let top = stack.last, top.name == name else {
                    throw ParseError(reason: "{{/\(name)}} closes no open section")
                }
                stack.removeLast()
                stack[stack.count - 1].nodes.append(.section(top.name, inverted: top.inverted, body: top.nodes))
            case "&":
                content.removeFirst()
                stack[stack.count - 1].nodes.append(.variable(content.trimmingASCIIWhitespace()))
            default:
                stack[stack.count - 1].nodes.append(.variable(content))
            }
        }
        guard stack.count == 1, let top = stack.first else {
            throw ParseError(reason: "section {{#\(stack.last?.name ?? "")}} is never closed")
        }
        return top.nodes
    }

    /// Variable names in `nodes` that would render without a value, looked up the way mustache does:
    /// the first name component up the context stack, the rest inside what it found.
    static func unresolved(_ nodes: [Node], stack: [EmailTemplateValue]) -> [String] {
        var missing: [String] = []
        for node in nodes {
            switch node {
            case .variable(let name):
                if resolve(name, stack: stack) == nil { missing.append(name) }
            case .section(let name, let inverted, let body):
                let value = resolve(name, stack: stack)
                let truthy = value?.isTruthy ?? false
                if inverted {
                    if !truthy { missing += unresolved(body, stack: stack) }
                } else if let value, truthy {
                    if case .array(let items) = value {
                        for item in items { missing += unresolved(body, stack: stack + [item]) }
                    } else {
                        missing += unresolved(body, stack: stack + [value])
                    }
                }
            }
        }
        return missing
    }

    private static func resolve(_ name: String, stack: [EmailTemplateValue]) -> EmailTemplateValue? {
        guard let top = stack.last else { return nil }
        if name == "." { return top }
        let parts = name.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        var value: EmailTemplateValue?
        if name.hasPrefix(".") {
            value = top.child(first)
        } else {
            value = stack.reversed().lazy.compactMap { $0.child(first) }.first
        }
        for part in parts.dropFirst() {
            value = value?.child(part)
        }
        return value
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = from
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}
