protocol CommandOptions { init(_ inv: Invocation) throws }
