export default {
  app: { name: 'JXC', fullName: 'JXC 进销存' },
  common: {
    save: '保存', cancel: '取消', create: '新建', edit: '编辑', delete: '删除',
    confirm: '确定', close: '关闭', copy: '复制', copied: '已复制', reload: '刷新',
    later: '稍后', search: '搜索', loading: '加载中…', noMore: '没有更多了', empty: '暂无数据',
    retry: '重试', back: '返回', yes: '是', no: '否', all: '全部', required: '必填',
    saved: '已保存', networkError: '无法连接服务器', unknownError: '出错了',
  },
  offline: { banner: '离线中 — 显示本机已有的数据', ready: '已可离线使用' },
  update: { title: '有新版本', message: 'JXC 新版本已就绪。', reload: '立即刷新', later: '稍后' },
  tabs: { home: '工作台', users: '用户', me: '我的' },
  titles: {
    login: '登录', home: '工作台', users: '用户管理', newUser: '新建用户', editUser: '编辑用户',
    audit: '操作日志', settings: '我的', tokens: 'API 令牌',
  },
  login: {
    title: 'JXC 进销存', subtitle: '采购 · 销售 · 库存',
    username: '用户名', password: '密码', submit: '登录',
    usernameRequired: '请输入用户名', passwordRequired: '请输入密码',
    failed: '登录失败',
  },
  roles: {
    admin: '管理员', manager: '经理', purchaser: '采购', sales: '销售',
    warehouse: '仓库员', finance: '财务', clerk: '盘点员',
  },
  home: {
    greeting: '你好，{name}', warehouses: '仓库', allWarehouses: '全部仓库',
    shortcuts: '常用功能', server: '服务器', version: '版本 {version}', offline: '离线',
  },
  modules: { users: '用户管理', audit: '操作日志', tokens: 'API 令牌', settings: '设置' },
  users: {
    search: '搜索用户名或姓名', username: '用户名', displayName: '姓名', password: '密码',
    newPassword: '新密码', newPasswordHint: '留空则不修改密码',
    roles: '角色', warehouses: '仓库', active: '启用', disabled: '已停用',
    lastLogin: '最近登录', never: '从未', pickRoles: '选择角色', pickWarehouses: '选择仓库',
    noWarehouses: '不限（全部仓库）', stale: '该用户已被他人修改，请刷新后重试。',
    passwordRule: '至少 8 个字符',
  },
  audit: {
    filterEntity: '按记录类型筛选', anyEntity: '全部记录', before: '修改前', after: '修改后',
    system: '系统',
    entities: { users: '用户', api_tokens: 'API 令牌', warehouses: '仓库' },
    actions: { create: '新建', update: '修改', delete: '删除', login: '登录', login_failed: '登录失败', login_refused: '拒绝登录' },
  },
  settings: {
    language: '语言', tokens: 'API 令牌', version: '版本', logout: '退出登录',
    logoutConfirm: '确定在此设备上退出 JXC？', signedInAs: '当前用户：{name}',
  },
  tokens: {
    intro: '令牌可让扫描枪、脚本和其他系统以你的身份调用 API。',
    name: '令牌名称', namePlaceholder: '例如：仓库扫描枪 1', create: '创建令牌',
    createdTitle: '请立即复制令牌', createdWarning: '关闭后将不再显示。',
    created: '创建于 {date}', lastUsed: '最近使用 {date}', neverUsed: '从未使用',
    copyFailed: '复制失败：请手动选择并复制令牌。',
    revoke: '撤销', revokeConfirm: '撤销“{name}”？使用它的设备将立即失效。',
  },
}
