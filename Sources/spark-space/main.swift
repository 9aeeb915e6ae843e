import Foundation
import SparkSpaceCLI

installSignalHandlers()
exit(run(Array(CommandLine.arguments.dropFirst())))
