// The CSV reader against every RFC 4180 case and the malformed files users actually produce.
#include "TestSupport.h"

#include "common/Random.h"
#include "load/LoadFile.h"

#include <QtTest>

using namespace lockstep;

Q_DECLARE_METATYPE(QList<QStringList>)

namespace {

struct Loaded {
    std::optional<LoadFile> file;
    Error error;
};

Loaded load(const QString &path, int threads = 1, std::uint64_t minChunk = 4 << 20)
{
    Loaded l;
    auto opened = LoadFile::open(path);
    if (!opened) {
        l.error = opened.error();
        return l;
    }
    ScanOptions scan;
    scan.threads = threads;
    scan.minChunkBytes = minChunk;
    auto scanned = opened->scan(scan);
    if (!scanned) {
        l.error = scanned.error();
        return l;
    }
    l.file.emplace(std::move(*opened));
    return l;
}

QList<QStringList> allRows(const LoadFile &f)
{
    QList<QStringList> rows;
    for (qint64 r = 0; r < f.rowCount(); ++r)
        rows << f.fields(r);
    return rows;
}

} // namespace

class TestCsvReader : public QObject {
    Q_OBJECT

private slots:
    void wellFormed_data();
    void wellFormed();
    void malformedRows_data();
    void malformedRows();
    void unreadableFiles_data();
    void unreadableFiles();
    void duplicateColumns();
    void lineNumbersWithMultilineRecords();
    void parallelChunksMatchReference_data();
    void parallelChunksMatchReference();
};

void TestCsvReader::wellFormed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QList<QStringList>>("rows");
    QTest::addColumn<char>("delimiter");

    const QStringList ab{QStringLiteral("a"), QStringLiteral("b")};
    auto rows = [](std::initializer_list<QStringList> r) { return QList<QStringList>(r); };

    QTest::newRow("LF") << QByteArray("a,b\n1,2\n3,4\n") << ab << rows({{"1", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << ab << rows({{"1", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("no final newline") << QByteArray("a,b\n1,2\n3,4") << ab << rows({{"1", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("CRLF no final newline") << QByteArray("a,b\r\n1,2\r\n3,4") << ab << rows({{"1", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("UTF-8 BOM") << QByteArray("\xEF\xBB\xBF" "a,b\n1,2\n") << ab << rows({{"1", "2"}}) << ',';
    QTest::newRow("quoted comma") << QByteArray("a,b\n\"x,y\",2\n") << ab << rows({{"x,y", "2"}}) << ',';
    QTest::newRow("doubled quotes") << QByteArray("a,b\n\"say \"\"hi\"\"\",2\n") << ab << rows({{"say \"hi\"", "2"}}) << ',';
    QTest::newRow("only a quote") << QByteArray("a,b\n\"\"\"\",2\n") << ab << rows({{"\"", "2"}}) << ',';
    QTest::newRow("quoted LF") << QByteArray("a,b\n\"line1\nline2\",2\n3,4\n") << ab
                               << rows({{"line1\nline2", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("quoted CRLF") << QByteArray("a,b\r\n\"line1\r\nline2\",2\r\n3,4\r\n") << ab
                                 << rows({{"line1\r\nline2", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("empty fields") << QByteArray("a,b\n,\n1,\n,2\n") << ab << rows({{"", ""}, {"1", ""}, {"", "2"}}) << ',';
    QTest::newRow("quoted empty") << QByteArray("a,b\n\"\",\"\"\n") << ab << rows({{"", ""}}) << ',';
    QTest::newRow("quoted header") << QByteArray("\"a\",\"b\"\n1,2\n") << ab << rows({{"1", "2"}}) << ',';
    QTest::newRow("semicolon") << QByteArray("a;b\n1,5;2\n") << ab << rows({{"1,5", "2"}}) << ';';
    QTest::newRow("tab") << QByteArray("a\tb\n1\t2\n") << ab << rows({{"1", "2"}}) << '\t';
    QTest::newRow("pipe") << QByteArray("a|b\n1|2\n3|4\n") << ab << rows({{"1", "2"}, {"3", "4"}}) << '|';
    QTest::newRow("CR only (classic Mac)") << QByteArray("a,b\r1,2\r3,4\r") << ab << rows({{"1", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("blank lines skipped") << QByteArray("a,b\n\n1,2\n\n\n3,4\n\n") << ab << rows({{"1", "2"}, {"3", "4"}}) << ',';
    QTest::newRow("UTF-8 text") << QByteArray("a,b\nSoci\xC3\xA9t\xC3\xA9,\xE6\x9D\xB1\xE4\xBA\xAC\n") << ab
                                << rows({{QString::fromUtf8("Société"), QString::fromUtf8("東京")}}) << ',';
    QTest::newRow("spaces kept") << QByteArray("a,b\n 1 , 2 \n") << ab << rows({{" 1 ", " 2 "}}) << ',';
    QTest::newRow("single column") << QByteArray("Id\n001000000000001\n") << QStringList{QStringLiteral("Id")}
                                   << rows({{"001000000000001"}}) << ',';
    QTest::newRow("delimiter inside quotes only") << QByteArray("a,b\n\"1;2\",3\n") << ab << rows({{"1;2", "3"}}) << ',';
    QString longField(100000, QLatin1Char('x'));
    QTest::newRow("100 KB field") << QByteArray("a,b\n\"" + longField.toLatin1() + "\",2\n") << ab
                                  << rows({{longField, "2"}}) << ',';
}

void TestCsvReader::wellFormed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, header);
    QFETCH(QList<QStringList>, rows);
    QFETCH(char, delimiter);
    test::Scratch scratch;
    auto l = load(scratch.write(QStringLiteral("f.csv"), bytes));
    QVERIFY2(l.file, qPrintable(l.error.toString()));
    QCOMPARE(l.file->dialect().delimiter, delimiter);
    QCOMPARE(l.file->header(), header);
    QCOMPARE(allRows(*l.file), rows);
    QCOMPARE(l.file->problems().errors(), 0);
}

void TestCsvReader::malformedRows_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("rowsRead");

    QTest::newRow("unterminated quote at end") << QByteArray("a,b\n1,2\n\"open,3\n4,5\n") << int(ProblemCode::UnterminatedQuote) << 3 << 1;
    QTest::newRow("quote inside unquoted field") << QByteArray("a,b\n1,2\nab\"c\",3\n4,5\n") << int(ProblemCode::MalformedQuote) << 3 << 3;
    QTest::newRow("text after closing quote") << QByteArray("a,b\n\"abc\"x,2\n") << int(ProblemCode::MalformedQuote) << 2 << 1;
    QTest::newRow("undoubled inner quote") << QByteArray("a,b\n\"ab\"c\"d\",2\n") << int(ProblemCode::MalformedQuote) << 2 << 1;
    QTest::newRow("too many fields") << QByteArray("a,b\n1,2\n1,2,3\n") << int(ProblemCode::RaggedRow) << 3 << 2;
    QTest::newRow("too few fields") << QByteArray("a,b,c\n1,2,3\n4,5\n6,7,8\n") << int(ProblemCode::RaggedRow) << 3 << 3;
    QTest::newRow("Latin-1 byte") << QByteArray("a,b\n1,2\nSoci\xE9t\xE9,3\n") << int(ProblemCode::InvalidUtf8) << 3 << 2;
    QTest::newRow("truncated UTF-8") << QByteArray("a,b\n\xE6\x9D,3\n") << int(ProblemCode::InvalidUtf8) << 2 << 1;
    QTest::newRow("overlong UTF-8") << QByteArray("a,b\n\xC0\xAF,3\n") << int(ProblemCode::InvalidUtf8) << 2 << 1;
    // A stray NUL is the row's problem; a file full of them is binary (see unreadableFiles).
    QTest::newRow("NUL in a row") << QByteArray("a,b\n1,2\n1\0" "3,4\n", 13) << int(ProblemCode::NulByte) << 3 << 2;
    QByteArray rowsThenNul = "a,b\n" + QByteArray("1,2\n").repeated(5000) + QByteArray("1\0" "3,4\n", 6);
    QTest::newRow("NUL far into the file") << rowsThenNul << int(ProblemCode::NulByte) << 5002 << 5001;
    QTest::newRow("ragged after multiline") << QByteArray("a,b\n\"x\ny\",2\n1\n") << int(ProblemCode::RaggedRow) << 4 << 2;
}

void TestCsvReader::malformedRows()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QFETCH(int, line);
    QFETCH(int, rowsRead);
    test::Scratch scratch;
    const QString path = scratch.write(QStringLiteral("bad.csv"), bytes);
    auto l = load(path);
    QVERIFY2(l.file, qPrintable(l.error.toString()));
    QCOMPARE(l.file->rowCount(), rowsRead);
    QVERIFY(l.file->problems().countOf(ProblemCode(code)) >= 1);
    bool found = false;
    for (const auto &p : l.file->problems().items()) {
        if (p.code == ProblemCode(code)) {
            QCOMPARE(p.line, line);
            QVERIFY(!p.message.isEmpty());
            QVERIFY2(p.toString(path).startsWith(path + QLatin1Char(':') + QString::number(line)), qPrintable(p.toString(path)));
            found = true;
            break;
        }
    }
    QVERIFY(found);
}

void TestCsvReader::unreadableFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty") << QByteArray() << int(ErrorKind::BadData) << QStringLiteral("empty");
    QTest::newRow("header only") << QByteArray("Id,AccountId\n") << int(ErrorKind::BadData) << QStringLiteral("no data rows");
    QTest::newRow("header only, no newline") << QByteArray("Id,AccountId") << int(ErrorKind::BadData) << QStringLiteral("no data rows");
    QTest::newRow("only blank lines") << QByteArray("\n\n\n") << int(ErrorKind::BadData) << QStringLiteral("no header");
    QTest::newRow("PNG") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20) << int(ErrorKind::BadData) << QStringLiteral("PNG image");
    QTest::newRow("random binary") << QByteArray("\x01\x02\0\x03\x04\0\x05" "abc\0\x06\x07\x08", 14) << int(ErrorKind::BadData) << QStringLiteral("not a text file");
    QTest::newRow("zip (xlsx)") << QByteArray("PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0", 14) << int(ErrorKind::BadData) << QStringLiteral("xlsx");
    QTest::newRow("UTF-16") << QByteArray("\xFF\xFE" "a\0,\0b\0\n\0", 10) << int(ErrorKind::BadData) << QStringLiteral("UTF-16");
    QTest::newRow("unterminated quote in header") << QByteArray("\"Id,Name\n1,2\n") << int(ErrorKind::BadData) << QStringLiteral("header");
    QTest::newRow("unterminated quote in first row") << QByteArray("Id,Name\n\"1,2\n3,4\n") << int(ErrorKind::BadData) << QStringLiteral("unterminated");
}

void TestCsvReader::unreadableFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, kind);
    QFETCH(QString, messagePart);
    test::Scratch scratch;
    const QString path = scratch.write(QStringLiteral("x.csv"), bytes);
    auto l = load(path);
    QVERIFY(!l.file);
    QCOMPARE(int(l.error.kind), kind);
    QVERIFY2(l.error.message.contains(messagePart, Qt::CaseInsensitive), qPrintable(l.error.message));
    QVERIFY2(l.error.toString().startsWith(path), qPrintable(l.error.toString()));

    auto missing = LoadFile::open(scratch.path(QStringLiteral("does-not-exist.csv")));
    QVERIFY(!missing);
    QCOMPARE(missing.error().kind, ErrorKind::NotFound);
}

void TestCsvReader::duplicateColumns()
{
    test::Scratch scratch;
    auto l = load(scratch.write(QStringLiteral("dup.csv"), "Id,Name,name,AccountId\n1,2,3,4\n"));
    QVERIFY(l.file);
    QCOMPARE(l.file->problems().countOf(ProblemCode::DuplicateColumn), 1);
    const Problem &p = l.file->problems().items().front();
    QCOMPARE(p.line, 1);
    QVERIFY(p.message.contains(QStringLiteral("'name'")));
    QVERIFY(p.message.contains(QStringLiteral("'Name'")));
}

void TestCsvReader::lineNumbersWithMultilineRecords()
{
    test::Scratch scratch;
    const QByteArray text = "a,b\n1,2\n\"x\ny\nz\",3\n\n4,5\n6\n";
    auto l = load(scratch.write(QStringLiteral("m.csv"), text));
    QVERIFY(l.file);
    QCOMPARE(l.file->rowCount(), 4);
    QCOMPARE(l.file->lineOfRow(0), 2);
    QCOMPARE(l.file->lineOfRow(1), 3);
    QCOMPARE(l.file->lineOfRow(2), 7);
    QCOMPARE(l.file->lineOfRow(3), 8);
    QCOMPARE(l.file->problems().countOf(ProblemCode::RaggedRow), 1);
    for (const auto &p : l.file->problems().items())
        if (p.code == ProblemCode::RaggedRow)
            QCOMPARE(p.line, 8);
    QCOMPARE(l.file->problems().countOf(ProblemCode::BlankLines), 1);
}

void TestCsvReader::parallelChunksMatchReference_data()
{
    QTest::addColumn<int>("seed");
    QTest::addColumn<bool>("crlf");
    for (int seed = 1; seed <= 6; ++seed)
        QTest::addRow("seed %d %s", seed, seed % 2 ? "LF" : "CRLF") << seed << bool(seed % 2 == 0);
}

// Random rows full of quotes, delimiters and line breaks, read with 1 and 8 threads over tiny
// chunks (so chunk boundaries fall inside quoted fields), must equal an independent parser.
void TestCsvReader::parallelChunksMatchReference()
{
    QFETCH(int, seed);
    QFETCH(bool, crlf);
    Random random{std::uint64_t(seed)};
    const QByteArray eol = crlf ? "\r\n" : "\n";
    const char *pieces[] = {"a", "bc", ",", "\"", "\n", "\r\n", " ", "é", "x,y", "001", "zz"};
    QByteArray text = "c1,c2,c3" + eol;
    for (int r = 0; r < 4000; ++r) {
        for (int c = 0; c < 3; ++c) {
            if (c)
                text += ',';
            QByteArray value;
            const int n = int(random.below(5));
            for (int k = 0; k < n; ++k)
                value += pieces[random.below(std::size(pieces))];
            if (value.contains(',') || value.contains('"') || value.contains('\n') || value.contains('\r') || random.below(3) == 0)
                text += '"' + QByteArray(value).replace("\"", "\"\"") + '"';
            else
                text += value;
        }
        text += eol;
    }
    test::Scratch scratch;
    const QString path = scratch.write(QStringLiteral("r.csv"), text);
    auto one = load(path, 1);
    auto many = load(path, 8, 1024);
    QVERIFY(one.file && many.file);
    QCOMPARE(many.file->rowCount(), one.file->rowCount());
    QList<QStringList> reference = test::parseCsvReference(text);
    reference.removeFirst();
    QCOMPARE(one.file->rowCount(), qint64(reference.size()));
    for (qint64 r = 0; r < one.file->rowCount(); ++r) {
        const QStringList expected = reference[qsizetype(r)];
        QCOMPARE(one.file->fields(r), expected);
        QCOMPARE(many.file->fields(r), expected);
        QCOMPARE(many.file->lineOfRow(r), one.file->lineOfRow(r));
    }
    QCOMPARE(one.file->problems().errors(), 0);
    QCOMPARE(many.file->problems().errors(), 0);
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
