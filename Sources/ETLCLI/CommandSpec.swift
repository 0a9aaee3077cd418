import ETLCore

/// How a command is called: its arguments and options, for parsing and for help.
struct CommandSpec {
    struct Option {
        var name: String
        var valueName: String?
        var help: String
    }

    var name: String
    var overview: String
    var arguments: [(name: String, help: String, optional: Bool)]
    var options: [Option]
    var discussion: String?

    var usage: String {
        var parts = ["etl", name]
        for argument in arguments { parts.append(argument.optional ? "[<\(argument.name)>]" : "<\(argument.name)>") }
        for option in options { parts.append("[\(option.name)\(option.valueName.map { " <\($0)>" } ?? "")]") }
        return parts.joined(separator: " ")
    }

    var help: String {
        var lines = ["OVERVIEW: \(overview)", "", "USAGE: \(usage)", ""]
        if !arguments.isEmpty {
            lines.append("ARGUMENTS:")
            for argument in arguments { lines.append(Self.row("<\(argument.name)>", argument.help)) }
            lines.append("")
        }
        lines.append("OPTIONS:")
        for option in options {
            lines.append(Self.row(option.name + (option.valueName.map { " <\($0)>" } ?? ""), option.help))
        }
        lines.append(Self.row("-h, --help", "Show help information."))
        if let discussion {
            lines.append("")
            lines.append(discussion)
        }
        return lines.joined(separator: "\n")
    }

    static func row(_ name: String, _ help: String) -> String {
        let padded = "  " + name
        return padded.count < 26
            ? padded + String(repeating: " ", count: 26 - padded.count) + help
            : padded + "\n" + String(repeating: " ", count: 26) + help
    }
}

/// Parsed arguments of one command.
struct ParsedArguments {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var wantsHelp = false
}

/// A command line that does not fit the command's spec.
struct UsageError: Error {
    var message: String
    var command: CommandSpec?

    /// `Unknown option '--x'. Did you mean '--y'?`, the suggestion only when one is close.
    static func unknown(
        _ kind: String, _ name: String, in candidates: [String], command: CommandSpec? = nil
    )
        -> UsageError
    {
        let hint = Suggestion.closest(to: name, in: candidates).map { ". Did you mean '\($0)'?" } ?? "."
        return UsageError(message: "Unknown \(kind) '\(name)'\(hint)", command: command)
    }
}

extension CommandSpec {
    /// Parses `arguments` (after the command name) against this spec.
    func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                parsed.wantsHelp = true
                continue
            }
            if argument.hasPrefix("-") && argument != "-" {
                var name = argument
                var inlineValue: String?
                if let equals = argument.firstIndex(of: "=") {
                    name = String(argument[..<equals])
                    inlineValue = String(argument[argument.index(after: equals)...])
                }
                guard let option = options.first(where: { $0.name == name }) else {
                    throw UsageError.unknown("option", name, in: options.map(\.name) + ["--help"], command: self)
                }
                if option.valueName != nil {
                    if let value = inlineValue ?? (index < arguments.count ? arguments[index] : nil) {
                        if inlineValue == nil { index += 1 }
                        guard !value.isEmpty else {
                            throw UsageError(message: "'\(option.name)' needs a value, not an empty one", command: self)
                        }
                        parsed.values[option.name] = value
                    } else {
                        throw UsageError(
                            message: "Missing value for '\(option.name) <\(option.valueName!)>'", command: self)
                    }
                } else {
                    if inlineValue != nil {
                        throw UsageError(message: "'\(option.name)' takes no value", command: self)
                    }
                    parsed.flags.insert(option.name)
                }
                continue
            }
            parsed.positional.append(argument)
        }
        if parsed.wantsHelp { return parsed }
        let required = requiredArgumentCount
        if parsed.positional.count < required {
            throw UsageError(
                message: "Missing expected argument '<\(self.arguments[parsed.positional.count].name)>'", command: self)
        }
        if parsed.positional.count > self.arguments.count {
            throw UsageError(message: "Unexpected argument '\(parsed.positional[self.arguments.count])'", command: self)
        }
        return parsed
    }

    private var requiredArgumentCount: Int { arguments.filter { !$0.optional }.count }
}
