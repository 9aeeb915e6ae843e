#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import SparkSpaceCLI

installSignalHandlers()
exit(run(Array(CommandLine.arguments.dropFirst())))
