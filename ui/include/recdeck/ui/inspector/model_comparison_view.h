#pragma once

#include <QStringList>
#include <QWidget>

#include "recdeck/serving/user_inspection.h"

class QComboBox;
class QLabel;
class QTableView;

namespace recdeck::ui {

class RecommendationTableModel;

// The same user under two models, side by side; items both lists share are highlighted
// and counted.
class ModelComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit ModelComparisonView(QWidget* parent = nullptr);

    // Fills both choosers with registry names, keeping the current choices when possible,
    // otherwise `preferredA` / `preferredB`.
    void setModelNames(const QStringList& names, const QString& preferredA, const QString& preferredB);
    QString modelA() const;
    QString modelB() const;
    void setAnswers(const serving::Answer& a, const serving::Answer& b);
    void clear(const QString& message);
    int overlapCount() const { return m_overlap; }
    RecommendationTableModel* tableModel(int side) const { return side == 0 ? m_modelA : m_modelB; }

signals:
    // Either chooser changed.
    void modelsChosen();

private:
    void showAnswer(const serving::Answer& answer, RecommendationTableModel* model, QLabel* caption);

    QComboBox* m_chooserA;
    QComboBox* m_chooserB;
    QLabel* m_overlapLabel;
    QLabel* m_captionA;
    QLabel* m_captionB;
    QTableView* m_tableA;
    QTableView* m_tableB;
    RecommendationTableModel* m_modelA;
    RecommendationTableModel* m_modelB;
    int m_overlap = 0;
    bool m_filling = false;
};

}  // namespace recdeck::ui
