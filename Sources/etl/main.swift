import ETLCLI

#if canImport(Glibc)
    import Glibc
#endif

// Character classes in globs (`?`, `[…]`) match characters, not bytes, only in a UTF-8 locale.
setlocale(LC_CTYPE, "C.UTF-8")
exit(ETLCommand.main(Array(CommandLine.arguments.dropFirst())))
