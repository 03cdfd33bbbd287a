#include "MappingEditor.h"

#include <QAction>
#include <QMenu>
#include <QUndoStack>

namespace lockstep::ui {

// One change of the mapping: the values before and after it.
class MappingCommand : public QUndoCommand {
public:
    MappingCommand(MappingEditor *editor, LoadMapping before, LoadMapping after)
        : QUndoCommand(LoadMapping::describeChange(before, after)), m_editor(editor), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void redo() override { m_editor->set(m_after); }
    void undo() override { m_editor->set(m_before); }

private:
    MappingEditor *m_editor;
    LoadMapping m_before;
    LoadMapping m_after;
};

MappingEditor::MappingEditor(QObject *parent) : QObject(parent), m_stack(new QUndoStack(this))
{
}

void MappingEditor::change(const LoadMapping &next)
{
    if (next == m_mapping)
        return;
    m_stack->push(new MappingCommand(this, m_mapping, next));   // push() runs redo(): set + changed
}

void MappingEditor::reset()
{
    m_stack->clear();
    m_mapping = {};
}

void MappingEditor::fillEditMenu(QMenu *menu, const std::function<void()> &showMapping)
{
    QAction *undo = m_stack->createUndoAction(menu, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_stack->createRedoAction(menu, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    menu->addAction(undo);
    menu->addAction(redo);
    menu->addSeparator();
    menu->addAction(tr("Load &Mapping…"), QKeySequence(Qt::CTRL | Qt::Key_M), this, showMapping)
        ->setToolTip(tr("The object, operation, upsert field and column roles of the open file"));
}

QString MappingEditor::explainReadError(const QString &where) const
{
    if (m_mapping.isDetected())
        return where;
    return tr("%1\n\nThe file was read with your mapping: undo the last change (Ctrl+Z), or choose As Detected in the File step "
              "(Ctrl+M).")
        .arg(where);
}

void MappingEditor::set(const LoadMapping &mapping)
{
    m_mapping = mapping;
    emit changed();
}

} // namespace lockstep::ui
