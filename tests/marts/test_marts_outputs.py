"""Outputs, cost per output and joint activities on the hand-made data set (2024).

Activities loaded (A10, of an unknown unit, and the second A1, a repeated id, are
quarantined; A5 is cancelled):

    id   lead    sector partners     code    type            status     part. women cost
    A1   BR      R                   TP-RAD  meeting         completed  100   40    10.00
    A2   BR      R      BDT          TP-INC  workshop        completed   50         5.50
    A3   BDT     D      RO-AFR       TP-INC  workshop        completed   30   20
    A4   BDT     D      GS;TSB       TP-INC  training        ongoing          5     7.00
    A5   TSB     T                   TP-INC  workshop        cancelled   80   40    1.00
    A6   GS      SG     BDT          EN-HRI  meeting         completed    0    0    2.00
    A7   RO-AFR  D      BDT          TP-NET  project         planned     10    5
    A8   TSB     T      BR           TP-STD  recommendation  completed              3.00
    A9   BR      R                   TP-NET  project         ongoing
    A11  TSB     T                   TP-INC  workshop        completed              4.00
    A12  GS      SG     BR           EN-HRI  publication     completed
"""

from __future__ import annotations

from sqlalchemy import Connection

from oneitu_etl.marts import outputs


def test_outputs_by_strategic_code(conn: Connection) -> None:
    assert outputs.outputs_by_strategic_code(conn, 2024) == {
        # A6 gives 0 participants and 0 women: no share can be computed
        "EN-HRI": {"activities": 2, "participants": 0, "women_share": None},
        # A5 cancelled; participants 50 + 30; only A3 gives both: 20 / 30
        "TP-INC": {"activities": 4, "participants": 80, "women_share": 20 / 30},
        "TP-NET": {"activities": 2, "participants": 10, "women_share": 0.5},
        "TP-RAD": {"activities": 1, "participants": 100, "women_share": 0.4},
        "TP-STD": {"activities": 1, "participants": 0, "women_share": None},
    }


def test_cost_per_output(conn: Connection) -> None:
    costs = outputs.cost_per_output(conn, 2024)
    assert list(costs) == ["EN-HRI", "EN-REG", "TP-INC", "TP-NET", "TP-RAD", "TP-RES", "TP-STD"]
    assert costs["TP-INC"] == {
        "expenses": 220.0,
        "completed_activities": 3,  # A2, A3, A11
        "cost_per_output": 73.33,  # 220.00 / 3
        "by_output_type": {
            # A3 gives no cost: the sum is known, the cost per output is not
            "workshop": {
                "completed_activities": 3,
                "costed_activities": 2,
                "cost_chf": 9.5,
                "cost_per_output": None,
            },
        },
    }
    assert costs["EN-HRI"] == {
        "expenses": 300.0,
        "completed_activities": 2,  # A6, A12
        "cost_per_output": 150.0,
        # A12 (publication) gives no cost: not listed
        "by_output_type": {
            "meeting": {
                "completed_activities": 1,
                "costed_activities": 1,
                "cost_chf": 2.0,
                "cost_per_output": 2.0,
            },
        },
    }
    assert costs["TP-RAD"]["cost_per_output"] == 150.25
    assert costs["TP-STD"]["by_output_type"] == {
        "recommendation": {
            "completed_activities": 1,
            "costed_activities": 1,
            "cost_chf": 3.0,
            "cost_per_output": 3.0,
        }
    }
    # expenses without completed activities: no cost per output
    for code, expenses in (("EN-REG", 0.0), ("TP-NET", 250.0), ("TP-RES", 50.0)):
        assert costs[code] == {
            "expenses": expenses,
            "completed_activities": 0,
            "cost_per_output": None,
            "by_output_type": {},
        }


def test_joint_activities_count_partners_of_another_sector(conn: Connection) -> None:
    # joint: A2 (R with D), A4 (D with SG, T), A6 (SG with D), A8 (T with R), A12 (SG with R);
    # A3 and A7 have partners of their own sector only
    assert outputs.joint_activities(conn, 2024) == (10, 5)


def test_a_year_without_activities(conn: Connection) -> None:
    assert outputs.outputs_by_strategic_code(conn, 2023) == {}
    assert outputs.joint_activities(conn, 2023) == (0, 0)
    assert outputs.cost_per_output(conn, 2023) == {
        "D.3": {
            "expenses": 200.0,
            "completed_activities": 0,
            "cost_per_output": None,
            "by_output_type": {},
        },
        "E.1": {
            "expenses": 300.0,
            "completed_activities": 0,
            "cost_per_output": None,
            "by_output_type": {},
        },
        "I.4": {
            "expenses": 100.0,
            "completed_activities": 0,
            "cost_per_output": None,
            "by_output_type": {},
        },
    }
