/// The titles closest to what was typed, for `did you mean` after a title or name that
/// is not found: the same title in another case first (`lobby` → `Lobby`), else the
/// titles a few edits away (at most 3, nearest first).
package func closestTitles(to typed: String, among titles: [String]) -> [String] {
    let lowered = typed.lowercased()
    let sameButCase = titles.filter { $0.lowercased() == lowered && $0 != typed }
    if !sameButCase.isEmpty { return Array(Set(sameButCase)).sorted().prefix(3).map { $0 } }
    let allowed = max(2, typed.count / 3)
    let near = Set(titles).compactMap { title -> (String, Int)? in
        // Titles far longer or shorter cannot be close: skip the quadratic distance.
        guard abs(title.count - typed.count) <= allowed else { return nil }
        let distance = editDistance(lowered, title.lowercased())
        return distance <= allowed ? (title, distance) : nil
    }
    return near.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
}

/// `; did you mean 'Lobby'?` (or `'A' or 'B'`), empty when nothing is close.
package func didYouMean(_ typed: String, among titles: [String]) -> String {
    suggestionText(closestTitles(to: typed, among: titles))
}

/// The known key nearest to an unknown one (a file's typo: SPEC wants the closest known key
/// named, however far). Only the first 64 characters count: the distance is quadratic.
package func closestKey(to typed: String, among known: [String]) -> String? {
    let typed = String(typed.prefix(64)).lowercased()
    return known.min { (editDistance(typed, $0.lowercased()), $0) < (editDistance(typed, $1.lowercased()), $1) }
}

/// `; did you mean 'A' or 'B'?`, empty for no suggestions.
package func suggestionText(_ close: [String]) -> String {
    guard !close.isEmpty else { return "" }
    return "; did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?"
}

/// Levenshtein distance.
package func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
