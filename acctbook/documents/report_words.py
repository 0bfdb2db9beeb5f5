"""The monthly report's words in English and Hebrew, one table for every part of it: the
HTML and PDF (report_html), the Report sheet (report_sheet) and its Bonuses due
(report_bonuses). A key exists in both languages (tests/test_i18n.py)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Monthly report", "sheet": "Report", "period": "Period",
        "company": "Company", "manager": "Account manager",
        "figure": "Figure", "value": "Value", "key_figures": "Key figures",
        "sec_revenue": "Revenue", "sec_sales": "Orders and clients", "sec_deals": "Deals",
        "sec_pipeline": "Weighted pipeline at month end", "sec_activity": "Activity",
        "sec_service": "Complaints and deliveries", "sec_events": "Events",
        "sec_top": "Top 10 key accounts",
        "revenue": "Revenue in the month", "revenue_prev": "Previous month",
        "revenue_prev_change": "Change vs previous month", "revenue_year_ago": "Same month last year",
        "revenue_year_ago_change": "Change vs same month last year",
        "orders": "Orders", "order_lines": "Order lines", "new_clients": "New clients",
        "new_by_referral": "of them by referral", "deals_won": "Deals won",
        "won_amount": "Won amount", "deals_lost": "Deals lost", "win_rate": "Win rate",
        "lost_by_competitor": "Lost deals by competitor", "competitor": "Competitor",
        "no_competitor": "(not given)", "deals": "Deals",
        "pipeline_weighted": "Weighted pipeline", "stage": "Stage", "amount": "Amount",
        "weighted": "Weighted", "interactions": "Interactions", "channel": "Channel",
        "count": "Count", "followups_overdue": "Follow-ups overdue at month end",
        "complaints_opened": "Complaints opened", "complaints_resolved": "Complaints resolved",
        "sla_met_rate": "SLA met", "deliveries_due": "Deliveries due",
        "deliveries_on_time": "Delivered on time", "on_time_rate": "On time",
        "events_held": "Events held", "event_clients": "Clients attending",
        "event": "Event", "date": "Date", "type": "Type", "clients": "Clients",
        "month": "Month", "rank": "Rank", "client": "Client", "class": "Class", "tier": "Tier",
        "revenue_12m": "Revenue 12m", "prev_rank": "Previous rank", "movement": "Movement",
        "new": "new", "none": "none",
        "chart_revenue": "Revenue, last 12 months", "chart_channels": "Interactions by channel",
        "chart_pipeline": "Weighted pipeline by stage",
        "to_date": "to date", "closed_later": "Open then, won or lost since",
        "closed_later_note": "Open then, won or lost since: deals open at the end of the "
                             "period and won or lost after it. Their stage then was not "
                             "recorded, so each is weighted by its own Probability.",
        "kpi_revenue": "Revenue this month", "kpi_revenue_12m": "12 months: {v}",
        "kpi_vs_year": "vs same month last year: {v}",
        "kpi_order_lines": "{v} order lines", "kpi_referral": "{v} of them by referral",
        "kpi_won_lost": "{won} won · {lost} lost", "kpi_open_deals": "{v} open deals",
        "kpi_complaints": "{opened} complaints opened · {resolved} resolved",
        "kpi_on_time": "{on} of {due} deliveries", "total": "Total",
        "revenue_12m_total": "Revenue, last 12 months",
        "sec_pipeline_to_date": "Weighted pipeline today",
        "followups_overdue_to_date": "Follow-ups overdue today",
        "closed_by_created": "Won or Lost deals with Stage since blank, counted in the "
                             "month they were created: {ids}",
        "closed_undated": "Won or Lost deals with neither Stage since nor Created, counted "
                          "in no month: {ids}",
        "no_exchange_rate": "Deals in a currency with no exchange rate (Settings, "
                            "ExchangeRates), left out of the amounts: {ids}",
        "more": "and {n} more",
        "sec_segments": "Market segments", "by_region": "By region", "seg_none": "(none)",
        "chart_segments": "Revenue 12m by segment",
        "segments_note": "Revenue 12m, won and lost deals and growth over the 12 months to "
                         "{date}, as refresh computes them that day. Clients: the Active and "
                         "Prospect clients; key accounts: those of Class A. Growth is blank on "
                         "a prior 12 months below the growth base; the win rate, with no deal "
                         "won or lost.",
        "sec_campaigns": "Campaigns", "campaign": "Campaign", "sent_on": "Sent on",
        "recipients": "Recipients", "responses": "Responses", "response_rate": "Response rate",
        "campaigns_note": "Responses: clients reached who got in touch (an inbound interaction) "
                          "or opened a deal from the day after Sent on to 30 days after it; "
                          "Deals: those new deals. Response rate: the responding clients out "
                          "of the clients reached. As of {date}.",
        "sec_event_results": "Events: invitations and results",
        "invitations_results": "Invitations and results", "invited": "Invited",
        "accepted": "Accepted", "attended": "Attended", "deals_90": "Deals within 90 days",
        "event_results_note": "Events of the period and the 3 months before. Invited, accepted "
                              "(RSVP Yes), attended: contacts on the Attendance sheet. Deals: "
                              "new deals of the attending clients within 90 days after the "
                              "event, to {date}.",
        "sec_targets": "Targets and forecast", "revenue_target": "Revenue target",
        "revenue_to_date": "Revenue to date", "attainment": "Attainment",
        "pipeline_to_close": "Weighted pipeline to close", "forecast": "Forecast",
        "forecast_vs_target": "Forecast vs target", "new_clients_target": "New clients target",
        "new_clients_won": "New clients won",
        "targets_note": "As of {date}. Forecast: the revenue to date plus the weighted pipeline "
                        "of the open deals expected to close by the period's end (Expected "
                        "close, else Stage since plus the stage's typical days). New clients won: "
                        "created in the period, prospects and lost clients aside.",
        "sec_bonuses": "Bonuses due", "bonus_others": "Other clients ({n})",
        "bonuses_note": "As of {date}: the loyalty and referral bonuses earned in {year} less "
                        "those paid out in {year} (the {sheet} sheet).",
    },
    "he": {
        "title": "דוח חודשי", "sheet": "דוח", "period": "תקופה",
        "company": "חברה", "manager": "מנהל/ת לקוח",
        "figure": "נתון", "value": "ערך", "key_figures": "נתונים עיקריים",
        "sec_revenue": "הכנסות", "sec_sales": "הזמנות ולקוחות", "sec_deals": "עסקאות",
        "sec_pipeline": "צנרת משוקללת בסוף החודש", "sec_activity": "פעילות",
        "sec_service": "תלונות ואספקות", "sec_events": "אירועים",
        "sec_top": "10 הלקוחות המובילים",
        "revenue": "הכנסות בחודש", "revenue_prev": "חודש קודם",
        "revenue_prev_change": "שינוי מול החודש הקודם", "revenue_year_ago": "אותו חודש אשתקד",
        "revenue_year_ago_change": "שינוי מול אותו חודש אשתקד",
        "orders": "הזמנות", "order_lines": "שורות הזמנה", "new_clients": "לקוחות חדשים",
        "new_by_referral": "מהם בהפניה", "deals_won": "עסקאות שנסגרו בהצלחה",
        "won_amount": "סכום שנסגר", "deals_lost": "עסקאות שאבדו", "win_rate": "שיעור הצלחה",
        "lost_by_competitor": "עסקאות שאבדו לפי מתחרה", "competitor": "מתחרה",
        "no_competitor": "(לא צוין)", "deals": "עסקאות",
        "pipeline_weighted": "צנרת משוקללת", "stage": "שלב", "amount": "סכום",
        "weighted": "משוקלל", "interactions": "אינטראקציות", "channel": "ערוץ",
        "count": "מספר", "followups_overdue": "מעקבים באיחור בסוף החודש",
        "complaints_opened": "תלונות שנפתחו", "complaints_resolved": "תלונות שנפתרו",
        "sla_met_rate": "עמידה ב־SLA", "deliveries_due": "אספקות במועד החודש",
        "deliveries_on_time": "סופקו בזמן", "on_time_rate": "בזמן",
        "events_held": "אירועים שהתקיימו", "event_clients": "לקוחות שהשתתפו",
        "event": "אירוע", "date": "תאריך", "type": "סוג", "clients": "לקוחות",
        "month": "חודש", "rank": "דירוג", "client": "לקוח", "class": "סיווג", "tier": "דרגה",
        "revenue_12m": "הכנסות 12 חודשים", "prev_rank": "דירוג קודם", "movement": "תנועה",
        "new": "חדש", "none": "אין",
        "chart_revenue": "הכנסות, 12 החודשים האחרונים", "chart_channels": "אינטראקציות לפי ערוץ",
        "chart_pipeline": "צנרת משוקללת לפי שלב",
        "to_date": "עד כה", "closed_later": "פתוחות אז, נסגרו מאז",
        "closed_later_note": "פתוחות אז, נסגרו מאז: עסקאות שהיו פתוחות בסוף התקופה ונסגרו "
                             "בהצלחה או אבדו אחריה. השלב שלהן אז לא נרשם, ולכן כל אחת "
                             "משוקללת לפי ההסתברות שלה.",
        "kpi_revenue": "הכנסות החודש", "kpi_revenue_12m": "12 חודשים: {v}",
        "kpi_vs_year": "מול אותו חודש אשתקד: {v}",
        "kpi_order_lines": "{v} שורות הזמנה", "kpi_referral": "{v} מהם בהפניה",
        "kpi_won_lost": "{won} נסגרו בהצלחה · {lost} אבדו",
        "kpi_open_deals": "{v} עסקאות פתוחות",
        "kpi_complaints": "{opened} תלונות נפתחו · {resolved} נפתרו",
        "kpi_on_time": "{on} מתוך {due} אספקות", "total": "סה״כ",
        "revenue_12m_total": "הכנסות, 12 החודשים האחרונים",
        "sec_pipeline_to_date": "צנרת משוקללת היום",
        "followups_overdue_to_date": "מעקבים באיחור היום",
        "closed_by_created": "נסגרו בהצלחה או אבדו בלי תאריך שלב, נספרו בחודש תאריך היצירה: {ids}",
        "closed_undated": "נסגרו בהצלחה או אבדו בלי תאריך שלב ובלי תאריך יצירה, לא נספרו: {ids}",
        "no_exchange_rate": "עסקאות במטבע שאין לו שער חליפין (הגדרות, ExchangeRates), לא "
                            "נכללו בסכומים: {ids}",
        "more": "ועוד {n}",
        "sec_segments": "פלחי שוק", "by_region": "לפי אזור", "seg_none": "(ללא)",
        "chart_segments": "הכנסות 12 חודשים לפי פלח",
        "segments_note": "הכנסות 12 חודשים, עסקאות שנסגרו בהצלחה ושאבדו והצמיחה – ב־12 "
                         "החודשים עד {date}, כפי שהרענון מחשב אותם באותו יום. לקוחות: "
                         "הלקוחות הפעילים והלידים; לקוחות מפתח: אלה שבסיווג A. הצמיחה ריקה "
                         "כשההכנסות ב־12 החודשים הקודמים נמוכות מבסיס הצמיחה; שיעור ההצלחה – "
                         "כשאין עסקה שנסגרה בהצלחה או אבדה.",
        "sec_campaigns": "קמפיינים", "campaign": "קמפיין", "sent_on": "נשלח ב־",
        "recipients": "נמענים", "responses": "תגובות", "response_rate": "שיעור תגובה",
        "campaigns_note": "תגובות: לקוחות שקיבלו את הקמפיין ופנו אלינו (אינטראקציה נכנסת) או "
                          "שנפתחה להם עסקה, מהיום שאחרי תאריך השליחה ועד 30 יום אחריו; "
                          "עסקאות: העסקאות החדשות האלה. שיעור תגובה: הלקוחות שהגיבו מתוך "
                          "הלקוחות שקיבלו. נכון ל־{date}.",
        "sec_event_results": "אירועים: הזמנות ותוצאות",
        "invitations_results": "הזמנות ותוצאות", "invited": "הוזמנו",
        "accepted": "אישרו הגעה", "attended": "הגיעו", "deals_90": "עסקאות תוך 90 יום",
        "event_results_note": "אירועי התקופה ושלושת החודשים שלפניה. הוזמנו, אישרו הגעה, הגיעו: "
                              "אנשי הקשר בגיליון נוכחות. עסקאות: עסקאות חדשות של הלקוחות "
                              "שהגיעו, עד 90 יום אחרי האירוע, נכון ל־{date}.",
        "sec_targets": "יעדים ותחזית", "revenue_target": "יעד הכנסות",
        "revenue_to_date": "הכנסות עד כה", "attainment": "עמידה ביעד",
        "pipeline_to_close": "צנרת משוקללת לסגירה", "forecast": "תחזית",
        "forecast_vs_target": "תחזית מול יעד", "new_clients_target": "יעד לקוחות חדשים",
        "new_clients_won": "לקוחות חדשים שגויסו",
        "targets_note": "נכון ל־{date}. תחזית: ההכנסות עד כה ועוד הצנרת המשוקללת של העסקאות "
                        "הפתוחות שצפויות להיסגר עד סוף התקופה (סגירה צפויה, ואם היא ריקה – "
                        "בשלב מאז ועוד הימים האופייניים לשלב). לקוחות חדשים שגויסו: נוצרו "
                        "בתקופה, בלי לידים ובלי לקוחות שאבדו.",
        "sec_bonuses": "בונוסים לתשלום", "bonus_others": "לקוחות נוספים ({n})",
        "bonuses_note": "נכון ל־{date}: בונוסי הנאמנות וההפניות שנצברו ב־{year}, פחות מה "
                        "ששולם ב־{year} (גיליון {sheet}).",
    },
}
