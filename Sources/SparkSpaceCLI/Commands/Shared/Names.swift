import SparkSpace

/// A name argument that is not blank (`what`: "team name", "new title"): a usage error (exit 2) before
/// any request.
func nonBlank(_ text: String, _ what: String, _ inv: Invocation) throws -> String {
    guard !text.trimmingSpaces().isEmpty else { throw inv.usage("the \(what) is empty") }
    return text
}
