#pragma once

class QCustomPlot;
class QPalette;

namespace lockstep::ui {

// QCustomPlot draws black on white whatever the desktop's palette: in a dark theme every chart
// was a white slab. A plot that follows the palette takes its background, axes, ticks, grid,
// titles and legend from it — now, and again whenever the palette changes.
namespace PlotTheme {

// Colours `plot` from its palette and keeps doing so on every palette change.
void follow(QCustomPlot *plot);
// Colours `plot` from `palette` once (what follow() does on each change).
void apply(QCustomPlot *plot, const QPalette &palette);

} // namespace PlotTheme

} // namespace lockstep::ui
