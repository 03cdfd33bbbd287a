// CsvFormat / CsvFileWriter: RFC 4180 output read back by the tests' own reference parser, and
// files that appear whole or not at all.
#include "TestSupport.h"

#include "load/CsvWriter.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace lockstep;

class TestCsvWriter : public QObject {
    Q_OBJECT
private slots:
    void fieldsQuoteWhenTheyMust_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QStringLiteral("Acme") << QByteArray("Acme");
        QTest::newRow("empty") << QString() << QByteArray("");
        QTest::newRow("comma") << QStringLiteral("Acme, Inc.") << QByteArray("\"Acme, Inc.\"");
        QTest::newRow("quote") << QStringLiteral("the \"big\" one") << QByteArray("\"the \"\"big\"\" one\"");
        QTest::newRow("newline") << QStringLiteral("two\nlines") << QByteArray("\"two\nlines\"");
        QTest::newRow("carriage return") << QStringLiteral("a\rb") << QByteArray("\"a\rb\"");
        QTest::newRow("leading space") << QStringLiteral(" padded") << QByteArray("\" padded\"");
        QTest::newRow("unicode") << QStringLiteral("Zürich — Ωmega") << QStringLiteral("Zürich — Ωmega").toUtf8();
    }
    void fieldsQuoteWhenTheyMust()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, expected);
        QCOMPARE(CsvFormat::field(text), expected);
        // Always-quoted (as Salesforce writes results) reads back the same.
        const QByteArray line = CsvFormat::line({text, QStringLiteral("x")}, {',', true, "\n"});
        const auto parsed = test::parseCsvReference(line);
        QCOMPARE(parsed.size(), qsizetype(1));
        QCOMPARE(parsed.front(), (QStringList{text, QStringLiteral("x")}));
    }

    void semicolonStyle()
    {
        QCOMPARE(CsvFormat::line({QStringLiteral("a;b"), QStringLiteral("c,d")}, {';', false, "\r\n"}), QByteArray("\"a;b\";c,d\r\n"));
    }

    void filesAppearWholeOnCommit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        {
            auto w = CsvFileWriter::create(path);
            QVERIFY(w.has_value());
            for (int i = 0; i < 100000; ++i)
                w->writeRow({QString::number(i), QStringLiteral("name, %1").arg(i)});
            QVERIFY(!QFile::exists(path));   // nothing until commit
            QVERIFY(w->commit().has_value());
            QCOMPARE(w->rows(), qint64(100000));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto rows = test::parseCsvReference(f.readAll());
        QCOMPARE(rows.size(), qsizetype(100000));
        QCOMPARE(rows.back(), (QStringList{QStringLiteral("99999"), QStringLiteral("name, 99999")}));
        // A writer dropped without commit leaves the old file alone and no temporary behind.
        {
            auto w = CsvFileWriter::create(path);
            w->writeRow({QStringLiteral("replacement")});
        }
        QVERIFY(f.size() > 1000);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), qsizetype(1));
        // An unwritable place is an error naming the path.
        const auto bad = CsvFileWriter::create(dir.filePath(QStringLiteral("no/such/dir/out.csv")));
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(QStringLiteral("no/such/dir")));
    }
};

QTEST_GUILESS_MAIN(TestCsvWriter)
#include "tst_csvwriter.moc"
