#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Space {
    /// A person by e-mail (`GET /people?email=`), by id, or `me` (the token's owner).
    public func person(_ reference: String, as role: TokenRole = .bot) throws -> Person {
        if reference == "me" { return try me(role) }
        if looksLikeEmail(reference) {
            let found = try client(role).get("people", query: [("email", reference)])
            guard let person = found["items"]?.array?.first else {
                throw SparkError.notFound(kind: .personWithEmail, name: reference, suggestions: [])
            }
            return try Person(json: person)
        }
        return try Person(json: fetch(.person, id: reference, as: role))
    }

    /// People by exact e-mail or by display-name prefix (Webex needs one of them unless the
    /// token is an admin's), at most `limit` (nil: all).
    public func people(email: String?, namePrefix: String?, limit: Int?, as role: TokenRole = .bot) throws -> [Person] {
        var query: [(String, String)] = []
        if let email { query.append(("email", email)) }
        if let namePrefix { query.append(("displayName", namePrefix)) }
        query.append(("max", String(Self.pageSize(for: limit))))
        var pages = try client(role).list("people", query: query)
        return try Person.list(pages.collect(limit: limit))
    }
}
