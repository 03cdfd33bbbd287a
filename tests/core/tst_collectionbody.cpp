// CollectionBody: the sObject Collections request the runner writes from a file's bytes is JSON
// any parser reads back to the same records — quotes, backslashes, line breaks, control
// characters and non-ASCII text included; bytes that are not UTF-8 never reach the org as such.
#include "org/CollectionBody.h"
#include "org/CollectionResults.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace lockstep;

class TestCollectionBody : public QObject {
    Q_OBJECT

private slots:
    void recordsReadBackAsWritten()
    {
        CollectionBody body(Operation::Update, QStringLiteral("Child\"__c"));
        const std::string tricky = "say \"hi\"\\ then\nnew line\r\ttab \x01 end, é ü 日本";
        body.beginRecord();
        body.field("Id", "006000000000001AAA");
        body.field("Description", tricky);
        body.endRecord();
        body.beginRecord();
        body.field("Id", "006000000000002AAA");
        body.rawField("Amount", "12.5");
        body.endRecord();
        QCOMPARE(body.size(), 2);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(body.json(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + QStringLiteral(": ") + QString::fromUtf8(body.json())));
        QCOMPARE(doc.object().value(QStringLiteral("allOrNone")).toBool(true), false);
        const QJsonArray records = doc.object().value(QStringLiteral("records")).toArray();
        QCOMPARE(records.size(), 2);
        const QJsonObject first = records[0].toObject();
        QCOMPARE(first.value(QStringLiteral("attributes")).toObject().value(QStringLiteral("type")).toString(), QStringLiteral("Child\"__c"));
        QCOMPARE(first.value(QStringLiteral("Id")).toString(), QStringLiteral("006000000000001AAA"));
        QCOMPARE(first.value(QStringLiteral("Description")).toString(), QString::fromUtf8(tricky.data(), qsizetype(tricky.size())));
        QCOMPARE(records[1].toObject().value(QStringLiteral("Amount")).toDouble(), 12.5);
    }

    void invalidUtf8BecomesReplacementCharacters()
    {
        CollectionBody body(Operation::Insert, QStringLiteral("Account"), true);
        body.beginRecord();
        body.field("Name", "Caf\xE9 Ltd");   // Latin-1 é
        body.endRecord();
        const QByteArray json = body.json();
        QVERIFY(!json.contains('\xE9'));
        const QJsonObject doc = QJsonDocument::fromJson(json).object();
        QCOMPARE(doc.value(QStringLiteral("allOrNone")).toBool(), true);
        QCOMPARE(doc.value(QStringLiteral("records")).toArray()[0].toObject().value(QStringLiteral("Name")).toString(),
                 QStringLiteral("Caf\uFFFD Ltd"));
    }

    void anEmptyBodyIsStillJson()
    {
        CollectionBody body(Operation::Upsert, QStringLiteral("Contact"));
        QCOMPARE(body.size(), 0);
        QVERIFY(QJsonDocument::fromJson(body.json()).object().value(QStringLiteral("records")).isArray());
    }

    // The answer reader gives what QJsonDocument gives, for answers as orgs write them and for
    // odd ones; what it cannot read it refuses (the caller then reads it the general way).
    void answersReadAsTheGeneralReaderReadsThem()
    {
        // (plain literals: moc does not read raw strings)
        const QByteArray answer =
            " [ {\"id\":\"006000000000001AAA\",\"success\":true,\"errors\":[],\"created\":false},\n"
            "            {\"id\":null,\"success\":false,\"errors\":[{\"statusCode\":\"UNABLE_TO_LOCK_ROW\",\"message\":\"unable to obtain exclusive access to this record or 1 records: 001\\\"x\\u00e9\\n\",\"fields\":[\"AccountId\",\"Name\"],\"extra\":{\"a\":[1,2.5e3,null,true]}}]},\n"
            "            {\"success\":true,\"id\":\"006000000000003AAA\",\"attributes\":{\"type\":\"Opportunity\"}} ] ";
        const auto read = parseCollectionResults(std::string_view(answer.constData(), size_t(answer.size())), Operation::Update);
        QVERIFY(read.has_value());
        QCOMPARE(read->size(), size_t(3));
        const QJsonArray reference = QJsonDocument::fromJson(answer).array();
        for (qsizetype i = 0; i < reference.size(); ++i) {
            const QJsonObject o = reference[i].toObject();
            const RecordResult &r = (*read)[size_t(i)];
            QCOMPARE(r.success, o.value(QStringLiteral("success")).toBool());
            QCOMPARE(r.id, o.value(QStringLiteral("id")).toString());
            QCOMPARE(r.created, o.value(QStringLiteral("created")).toBool(false));
            const QJsonArray errors = o.value(QStringLiteral("errors")).toArray();
            QCOMPARE(qsizetype(r.errors.size()), errors.size());
            for (qsizetype e = 0; e < errors.size(); ++e) {
                QCOMPARE(r.errors[size_t(e)].statusCode, errors[e].toObject().value(QStringLiteral("statusCode")).toString());
                QCOMPARE(r.errors[size_t(e)].message, errors[e].toObject().value(QStringLiteral("message")).toString());
                QCOMPARE(r.errors[size_t(e)].fields.size(), errors[e].toObject().value(QStringLiteral("fields")).toArray().size());
            }
        }
        QVERIFY((*read)[1].errors[0].message.endsWith(QStringLiteral("001\"x\u00e9\n")));
        // An insert's success without "created" counts as created.
        const QByteArray inserted = "[{\"id\":\"001000000000001AAA\",\"success\":true,\"errors\":[]}]";
        QCOMPARE(parseCollectionResults(std::string_view(inserted.constData(), size_t(inserted.size())), Operation::Insert)->front().created, true);
        for (const QByteArray &bad : {QByteArray("{\"message\":\"x\"}"), QByteArray("[{\"id\":1}]"), QByteArray("[{\"success\":\"yes\"}]"),
                                     QByteArray("[{\"id\":\"a\"}"), QByteArray("[] trailing"), QByteArray("[{\"id\":\"\\q\"}]"), QByteArray()})
            QVERIFY2(!parseCollectionResults(std::string_view(bad.constData(), size_t(bad.size())), Operation::Update), bad.constData());
    }

    void deleteIdsGoInTheUrlSafely()
    {
        CollectionBody body(Operation::Delete, QStringLiteral("Account"));
        body.addId("001000000000001AAA");
        body.addId("bad id,&x");
        QCOMPARE(body.size(), 2);
        QCOMPARE(body.ids(), QByteArray("001000000000001AAA,bad%20id%2C%26x"));
    }
};

QTEST_APPLESS_MAIN(TestCollectionBody)
#include "tst_collectionbody.moc"
