import Foundation

extension SparkSpace {
    /// The teams the token's owner belongs to (at most `limit`, nil: all).
    public func teams(limit: Int? = nil, as role: TokenRole = .bot) throws -> [JSON] {
        var pages = try client(role).list("teams", query: [("max", String(Self.pageSize(for: limit)))])
        return try pages.collect(limit: limit)
    }

    /// A team by id, or by exact name (seed `get_team`). A name matching several teams is a
    /// conflict naming their ids; none is not found.
    public func team(_ reference: String, as role: TokenRole = .bot) throws -> JSON {
        if isWebexId(reference) {
            do {
                return try client(role).get("teams/\(reference)")
            } catch SparkError.api(let f) where f.status == 404 {
                throw SparkError.notFound("no team with id \(reference)")
            }
        }
        guard let found = try team(named: reference, as: role) else {
            throw SparkError.notFound("no team named '\(reference)'")
        }
        return found
    }

    /// The team with exactly this name, nil when none; a conflict when several.
    public func team(named name: String, as role: TokenRole = .bot) throws -> JSON? {
        let matches = try teams(as: role).filter { $0["name"]?.string == name }
        if matches.count > 1 {
            let ids = matches.compactMap { $0["id"]?.string }.joined(separator: ", ")
            throw SparkError.conflict("\(matches.count) teams are named '\(name)': \(ids)")
        }
        return matches.first
    }

    /// Creates a team (Webex also creates its general room, titled like the team).
    public func createTeam(name: String, as role: TokenRole = .bot) throws -> JSON {
        try client(role).post("teams", ["name": .string(name)])
    }
}
