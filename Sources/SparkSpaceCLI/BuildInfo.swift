// The commit and date of the build. `make` fills them in from git for the build it runs and
// puts this file back afterwards (see the Makefile); a plain `swift build` says "unknown".
enum BuildInfo {
    static let commit = "unknown"
    static let date = "unknown"
}
