import SparkSpace

/// `version`.
let versionCommand = CommandSpec(
    "version", summary: "print the version, the build, and the Swift and libcurl versions",
    details: "The same as --version -v. libcurl is the library found at run time.",
    examples: ["spark-space version"],
    run: { inv in try inv.out.write(versionText(verbose: true)) })

/// `spark-space 0.1.0`, and with `verbose` the build, Swift and libcurl lines.
func versionText(verbose: Bool) -> String {
    var text = "spark-space \(sparkSpaceVersion)\n"
    guard verbose else { return text }
    text += "build: \(BuildInfo.commit) (\(BuildInfo.date))\n"
    text += "swift: \(swiftVersion)\n"
    text += "libcurl: \(sanitizeCell(CurlTransport.libraryVersion()))\n"
    return text
}

/// The language version of the compiler that built this binary.
private var swiftVersion: String {
    #if compiler(>=6.4)
    return "6.4 or later"
    #elseif compiler(>=6.3)
    return "6.3"
    #elseif compiler(>=6.2)
    return "6.2"
    #elseif compiler(>=6.1)
    return "6.1"
    #elseif compiler(>=6.0)
    return "6.0"
    #else
    return "5.x"
    #endif
}
