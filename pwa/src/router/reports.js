// The report screens' routes (children of the app layout): the catalogue and one generic
// viewer that shows any report as cards on a phone and a table on a tablet.
export const reportsRoutes = []
