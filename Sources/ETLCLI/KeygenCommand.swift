import ETLPipeline

/// `etl keygen <file>`: writes a new master key for pseudonyms.
struct KeygenCommand {
    let console: Console

    func run(_ arguments: ParsedArguments) -> ExitCode {
        let path = arguments.positional[0]
        do {
            let keyID = try KeyFiles.generate(path)
            console.out(
                "Wrote a new 32-byte key to \(path) (mode 0600), key ID \(keyID). Keep the file secret and backed up: pseudonyms made with it cannot be made again without it."
            )
            return .success
        } catch {
            console.err("Error: \(error)")
            return .failure
        }
    }
}
