#include "MappingEditor.h"

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

void MappingEditor::set(const LoadMapping &mapping)
{
    m_mapping = mapping;
    emit changed();
}

} // namespace lockstep::ui
