// The manager's dashboard and the replenishment screens (children of the app layout).
export const dashboardRoutes = []
