#pragma once

#include "analysis/LoadMapping.h"

#include <QObject>

#include <functional>

class QMenu;
class QUndoStack;

namespace lockstep::ui {

// The open file's mapping (object, operation, upsert field, column roles, lock rules) and its
// undo history. Every change is a command on the stack, so Edit → Undo (Ctrl+Z) takes back a
// change in any panel that edits the mapping; the window reads the file again on `changed`.
class MappingEditor : public QObject {
    Q_OBJECT
public:
    explicit MappingEditor(QObject *parent = nullptr);

    const LoadMapping &mapping() const { return m_mapping; }
    QUndoStack *undoStack() const { return m_stack; }

    // Makes `next` the mapping, as one undoable step (nothing when it is the same).
    void change(const LoadMapping &next);
    // A new file: the detected mapping, and no history.
    void reset();
    // Edit → Undo / Redo (Ctrl+Z, Ctrl+Shift+Z) and Load Mapping… (Ctrl+M, runs `showMapping`).
    void fillEditMenu(QMenu *menu, const std::function<void()> &showMapping);
    // What to tell a user whose file could not be read at `where`: with their mapping in force,
    // how to take it back.
    QString explainReadError(const QString &where) const;

signals:
    void changed();

private:
    friend class MappingCommand;
    void set(const LoadMapping &mapping);

    LoadMapping m_mapping;
    QUndoStack *m_stack;
};

} // namespace lockstep::ui
