import Foundation
import Testing

@testable import SpoolOutbox

@Suite("Text formats and connection-string checks (no server needed)")
struct TextFormatTests {
    @Test("timestamps format as UTC with microseconds and parse back, offsets and BC included")
    func timestamps() {
        #expect(PostgresText.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(PostgresText.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
        #expect(PostgresText.parseDate("2024-03-01 17:30:00+05:30") == Date(timeIntervalSince1970: 1_709_294_400))
        #expect(PostgresText.parseDate("2024-03-01 12:00:00.25-08") == Date(timeIntervalSince1970: 1_709_323_200.25))
        #expect(PostgresText.parseDate("2024-03-01T12:00:00Z") == Date(timeIntervalSince1970: 1_709_294_400))
        #expect(PostgresText.parseDate("2024-03-01") == Date(timeIntervalSince1970: 1_709_251_200))
        let bc = Date(timeIntervalSince1970: -62_167_219_200)  // 0001-01-01 BC (year 0)
        #expect(PostgresText.format(bc) == "0001-01-01 00:00:00.000000+00 BC")
        #expect(PostgresText.parseDate("0001-01-01 00:00:00+00 BC") == bc)
        #expect(PostgresText.parseDate("not a date") == nil)
        #expect(PostgresText.parseDate("2024-13-01") == nil)
    }

    @Test("bytea decodes from hex and escape formats")
    func bytea() {
        #expect(PostgresText.decodeBytea("\\x00ff10") == [0, 255, 16])
        #expect(PostgresText.decodeBytea("\\x") == [])
        #expect(PostgresText.decodeBytea("a\\000b\\\\") == [97, 0, 98, 92])
        #expect(PostgresText.decodeBytea("\\x0") == nil)
        #expect(PostgresText.decodeBytea("\\xzz") == nil)
    }

    @Test("passwords are masked in URLs and conninfo strings")
    func redaction() {
        #expect(PostgresConnectionString.redact("postgres://bob:pa:ss@host:5432/db") == "postgres://bob:***@host:5432/db")
        #expect(PostgresConnectionString.redact("postgres://bob@host/db?password=x&sslmode=off") == "postgres://bob@host/db?password=***&sslmode=off")
        #expect(PostgresConnectionString.redact("host=h password = 'a b\\' c' user=u") == "host=h password=*** user=u")
        #expect(PostgresConnectionString.redact("host=h PASSWORD=secret") == "host=h PASSWORD=***")
    }

    @Test("SQLSTATE names")
    func sqlStates() {
        #expect(SQLState.conditionName(for: "23505") == "unique_violation")
        #expect(SQLState.conditionName(for: "57014") == "query_canceled")
        #expect(SQLState.conditionName(for: "ZZZZZ") == nil)
    }
}
