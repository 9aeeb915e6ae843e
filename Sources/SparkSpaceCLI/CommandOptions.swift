/// What a command was asked, read and checked before anything runs (issue 23's shape).
protocol CommandOptions { init(_ inv: Invocation) throws }
