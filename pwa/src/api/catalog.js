import { api } from '../lib/api.js'

export const listCategories = () => api.get('/categories')
export const createCategory = (category) => api.post('/categories', category)
export const updateCategory = (id, changes) => api.patch(`/categories/${id}`, changes)
export const deleteCategory = (id) => api.delete(`/categories/${id}`)
export const listProducts = (query) => api.get('/products', query)
export const getProduct = (id) => api.get(`/products/${id}`)
export const createProduct = (product) => api.post('/products', product)
export const updateProduct = (id, changes) => api.patch(`/products/${id}`, changes)
export const archiveProduct = (id) => api.delete(`/products/${id}`)
export const uploadProductImage = (id, file) => api.putFile(`/products/${id}/image`, file)
export const removeProductImage = (id) => api.delete(`/products/${id}/image`)

/** The category tree flattened for pickers: "饮料 / 碳酸" with its id, node and depth. */
export function flattenCategories(nodes, prefix = '', depth = 0) {
  return nodes.flatMap((node) => {
    const label = prefix ? `${prefix} / ${node.name}` : node.name
    return [{ id: node.id, label, node, depth }, ...flattenCategories(node.children || [], label, depth + 1)]
  })
}
