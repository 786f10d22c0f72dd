"""Campaign set-up pages: targets and criteria, units and pledges, twinnings, donations, the
Thursday/Friday schedule and the calendar links — everything a commune secretary sets up,
without Django's admin.

Every page is for the managers of the campaign's place (and administrators): anyone else
gets 404, as for a campaign that does not exist. A view parses its form, calls one service,
and redirects with a message; a service's refusal is shown in the form, next to the field it
concerns when the form says which (`SetupForm.error_fields`), and nothing is written.
"""
