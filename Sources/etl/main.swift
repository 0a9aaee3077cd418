import ETLCLI

#if canImport(Glibc)
    import Glibc
#endif

exit(ETLCommand.main(Array(CommandLine.arguments.dropFirst())))
